//! Table operations through the Rust SDK: CreateTable, DescribeTable,
//! ListTables, UpdateTable, DeleteTable, tags, and their errors.
//!
//! Expected values follow AWS's documented behaviour and the sources cited
//! in tests/e2e (the boto3 suite); where ferrodyn deliberately differs
//! (tables are ACTIVE at once), docs/compatibility.md says so.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::primitives::DateTime;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableClass,
    TableDescription, TableStatus, Tag,
};
use ferrodyn_e2e::{
    ErrorParts, Server, Storage, create_on_demand, create_provisioned, expect_service_error, ok,
    table_arn, throughput,
};

fn key(attr: &str, key_type: KeyType) -> KeySchemaElement {
    ok(KeySchemaElement::builder()
        .attribute_name(attr)
        .key_type(key_type)
        .build())
}

fn attr_def(attr: &str, ty: ScalarAttributeType) -> AttributeDefinition {
    ok(AttributeDefinition::builder()
        .attribute_name(attr)
        .attribute_type(ty)
        .build())
}

async fn describe(client: &Client, name: &str) -> TableDescription {
    let out = ok(client.describe_table().table_name(name).send().await);
    out.table()
        .cloned()
        .unwrap_or_else(|| panic!("DescribeTable {name} returned no Table"))
}

/// Seconds since the epoch, now.
fn now_secs() -> i64 {
    DateTime::from(std::time::SystemTime::now()).secs()
}

/// Asserts that `t` is within a minute of now.
fn assert_recent(what: &str, t: Option<&DateTime>) {
    let t = t.unwrap_or_else(|| panic!("{what} is missing"));
    assert!(
        (now_secs() - t.secs()).abs() < 60,
        "{what} is {t}, not within a minute of now"
    );
}

#[tokio::test]
async fn create_hash_only_on_demand_and_describe() {
    let server = Server::start();
    let client = server.client();

    let created = ok(client
        .create_table()
        .table_name("Users")
        .attribute_definitions(attr_def("id", ScalarAttributeType::S))
        .key_schema(key("id", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await);
    let desc = created
        .table_description()
        .unwrap_or_else(|| panic!("no TableDescription"));
    // AWS answers CREATING; ferrodyn does too, and is ACTIVE by the next call.
    assert_eq!(desc.table_status(), Some(&TableStatus::Creating));
    assert_eq!(desc.table_name(), Some("Users"));
    assert_eq!(
        desc.table_arn(),
        Some("arn:aws:dynamodb:us-east-1:000000000000:table/Users")
    );
    let table_id = desc
        .table_id()
        .unwrap_or_else(|| panic!("no TableId"))
        .to_owned();
    assert_eq!(table_id.len(), 36, "TableId {table_id} is not a UUID");

    let t = describe(&client, "Users").await;
    assert_eq!(t.table_status(), Some(&TableStatus::Active));
    assert_eq!(t.table_name(), Some("Users"));
    assert_eq!(t.table_arn(), Some(table_arn("Users").as_str()));
    assert_eq!(
        t.table_id(),
        Some(table_id.as_str()),
        "TableId must be stable"
    );
    assert_eq!(t.key_schema(), [key("id", KeyType::Hash)]);
    assert_eq!(
        t.attribute_definitions(),
        [attr_def("id", ScalarAttributeType::S)]
    );
    assert_eq!(t.item_count(), Some(0));
    assert_eq!(t.table_size_bytes(), Some(0));
    assert_recent("CreationDateTime", t.creation_date_time());
    let summary = t
        .billing_mode_summary()
        .unwrap_or_else(|| panic!("no BillingModeSummary: {t:?}"));
    assert_eq!(summary.billing_mode(), Some(&BillingMode::PayPerRequest));
    assert_eq!(
        summary.last_update_to_pay_per_request_date_time(),
        t.creation_date_time()
    );
    let pt = t
        .provisioned_throughput()
        .unwrap_or_else(|| panic!("no ProvisionedThroughput"));
    assert_eq!(
        (
            pt.read_capacity_units(),
            pt.write_capacity_units(),
            pt.number_of_decreases_today()
        ),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(t.deletion_protection_enabled(), Some(false));
    assert!(
        t.table_class_summary().is_none(),
        "unset TableClassSummary must be absent"
    );
    assert!(
        t.sse_description().is_none(),
        "unset SSEDescription must be absent"
    );
    assert!(t.global_secondary_indexes().is_empty() && t.local_secondary_indexes().is_empty());

    server.shutdown();
}

#[tokio::test]
async fn create_hash_range_provisioned_and_describe() {
    let server = Server::start_with(Storage::InMemory, None);
    let client = server.client();

    let created = ok(client
        .create_table()
        .table_name("Events")
        .attribute_definitions(attr_def("pk", ScalarAttributeType::S))
        .attribute_definitions(attr_def("sk", ScalarAttributeType::N))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .provisioned_throughput(throughput(5, 7))
        .deletion_protection_enabled(true)
        .send()
        .await);
    let desc = created
        .table_description()
        .unwrap_or_else(|| panic!("no TableDescription"));
    assert!(
        desc.billing_mode_summary().is_none(),
        "a table created PROVISIONED has no BillingModeSummary"
    );

    let t = describe(&client, "Events").await;
    assert_eq!(t.table_status(), Some(&TableStatus::Active));
    assert_eq!(
        t.key_schema(),
        [key("pk", KeyType::Hash), key("sk", KeyType::Range)]
    );
    assert_eq!(
        t.attribute_definitions(),
        [
            attr_def("pk", ScalarAttributeType::S),
            attr_def("sk", ScalarAttributeType::N)
        ]
    );
    assert!(
        t.billing_mode_summary().is_none(),
        "a table created PROVISIONED has no BillingModeSummary"
    );
    let pt = t
        .provisioned_throughput()
        .unwrap_or_else(|| panic!("no ProvisionedThroughput"));
    assert_eq!(
        (
            pt.read_capacity_units(),
            pt.write_capacity_units(),
            pt.number_of_decreases_today()
        ),
        (Some(5), Some(7), Some(0))
    );
    assert_eq!(t.deletion_protection_enabled(), Some(true));

    // The table's ARN works wherever its name does.
    let by_arn = describe(&client, &table_arn("Events")).await;
    assert_eq!(by_arn.table_name(), Some("Events"));
    assert_eq!(by_arn.table_id(), t.table_id());

    server.shutdown();
}

#[tokio::test]
async fn list_tables_paginates() {
    let server = Server::start();
    let client = server.client();
    // Created out of order: ListTables sorts by name.
    let names = ["t-delta", "t-alpha", "t-echo", "t-charlie", "t-bravo"];
    for name in names {
        create_on_demand(&client, name, ("pk", ScalarAttributeType::S), None).await;
    }

    let all = ok(client.list_tables().send().await);
    assert_eq!(
        all.table_names(),
        ["t-alpha", "t-bravo", "t-charlie", "t-delta", "t-echo"]
    );
    assert_eq!(all.last_evaluated_table_name(), None);

    let mut pages = Vec::new();
    let mut start: Option<String> = None;
    loop {
        let page = ok(client
            .list_tables()
            .limit(2)
            .set_exclusive_start_table_name(start.clone())
            .send()
            .await);
        pages.push((
            page.table_names().to_vec(),
            page.last_evaluated_table_name().map(str::to_owned),
        ));
        start = page.last_evaluated_table_name().map(str::to_owned);
        if start.is_none() || pages.len() > 5 {
            break;
        }
    }
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    assert_eq!(
        pages,
        vec![
            (s(&["t-alpha", "t-bravo"]), Some("t-bravo".to_owned())),
            (s(&["t-charlie", "t-delta"]), Some("t-delta".to_owned())),
            (s(&["t-echo"]), None),
        ]
    );

    // The SDK's paginator follows LastEvaluatedTableName the same way.
    let mut paginator = client
        .list_tables()
        .limit(2)
        .into_paginator()
        .items()
        .send();
    let mut seen = Vec::new();
    while let Some(name) = paginator.next().await {
        seen.push(ok(name));
    }
    assert_eq!(
        seen,
        s(&["t-alpha", "t-bravo", "t-charlie", "t-delta", "t-echo"])
    );

    server.shutdown();
}

#[tokio::test]
async fn update_throughput_and_billing_mode() {
    let server = Server::start();
    let client = server.client();
    create_provisioned(
        &client,
        "Orders",
        ("pk", ScalarAttributeType::S),
        None,
        5,
        5,
    )
    .await;

    // AWS answers UPDATING with the old units; the new ones show once ACTIVE.
    let resp = ok(client
        .update_table()
        .table_name("Orders")
        .provisioned_throughput(throughput(10, 20))
        .send()
        .await);
    let d = resp
        .table_description()
        .unwrap_or_else(|| panic!("no TableDescription"));
    assert_eq!(d.table_status(), Some(&TableStatus::Updating));
    let t = describe(&client, "Orders").await;
    assert_eq!(t.table_status(), Some(&TableStatus::Active));
    let pt = t
        .provisioned_throughput()
        .unwrap_or_else(|| panic!("no ProvisionedThroughput"));
    assert_eq!(
        (pt.read_capacity_units(), pt.write_capacity_units()),
        (Some(10), Some(20))
    );
    assert_recent("LastIncreaseDateTime", pt.last_increase_date_time());

    // Same units again: AWS refuses a no-op change.
    let err = expect_service_error(
        client
            .update_table()
            .table_name("Orders")
            .provisioned_throughput(throughput(10, 20))
            .send()
            .await,
    );
    assert_eq!(err.code, "ValidationException");
    assert_eq!(err.status, 400);

    ok(client
        .update_table()
        .table_name("Orders")
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await);
    let t = describe(&client, "Orders").await;
    let summary = t
        .billing_mode_summary()
        .unwrap_or_else(|| panic!("no BillingModeSummary after the switch"));
    assert_eq!(summary.billing_mode(), Some(&BillingMode::PayPerRequest));
    assert_recent(
        "LastUpdateToPayPerRequestDateTime",
        summary.last_update_to_pay_per_request_date_time(),
    );
    let pt = t
        .provisioned_throughput()
        .unwrap_or_else(|| panic!("no ProvisionedThroughput"));
    assert_eq!(
        (pt.read_capacity_units(), pt.write_capacity_units()),
        (Some(0), Some(0))
    );

    // Back to provisioned, by ARN.
    ok(client
        .update_table()
        .table_name(table_arn("Orders"))
        .billing_mode(BillingMode::Provisioned)
        .provisioned_throughput(throughput(3, 4))
        .send()
        .await);
    let t = describe(&client, "Orders").await;
    let summary = t
        .billing_mode_summary()
        .unwrap_or_else(|| panic!("no BillingModeSummary after switching back"));
    assert_eq!(summary.billing_mode(), Some(&BillingMode::Provisioned));
    let pt = t
        .provisioned_throughput()
        .unwrap_or_else(|| panic!("no ProvisionedThroughput"));
    assert_eq!(
        (pt.read_capacity_units(), pt.write_capacity_units()),
        (Some(3), Some(4))
    );

    ok(client
        .update_table()
        .table_name("Orders")
        .table_class(TableClass::StandardInfrequentAccess)
        .send()
        .await);
    let t = describe(&client, "Orders").await;
    assert_eq!(
        t.table_class_summary().and_then(|c| c.table_class()),
        Some(&TableClass::StandardInfrequentAccess)
    );

    server.shutdown();
}

#[tokio::test]
async fn deletion_protection_blocks_delete() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Guarded", ("pk", ScalarAttributeType::S), None).await;
    ok(client
        .update_table()
        .table_name("Guarded")
        .deletion_protection_enabled(true)
        .send()
        .await);
    assert_eq!(
        describe(&client, "Guarded")
            .await
            .deletion_protection_enabled(),
        Some(true)
    );

    let result = client.delete_table().table_name("Guarded").send().await;
    if let Err(e) = &result {
        // The SDK's ProvideErrorMetadata on the SdkError itself.
        assert_eq!(e.code(), Some("ValidationException"));
    }
    assert_eq!(
        expect_service_error(result),
        ErrorParts::new(
            "ValidationException",
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
            400
        )
    );
    assert_eq!(
        describe(&client, "Guarded").await.table_status(),
        Some(&TableStatus::Active)
    );

    ok(client
        .update_table()
        .table_name("Guarded")
        .deletion_protection_enabled(false)
        .send()
        .await);
    let deleted = ok(client.delete_table().table_name("Guarded").send().await);
    let d = deleted
        .table_description()
        .unwrap_or_else(|| panic!("no TableDescription"));
    assert_eq!(d.table_status(), Some(&TableStatus::Deleting));
    assert_eq!(d.table_name(), Some("Guarded"));

    let err = client.describe_table().table_name("Guarded").send().await;
    assert!(
        err.as_ref()
            .err()
            .and_then(|e| e.as_service_error())
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "DescribeTable after DeleteTable: {err:?}"
    );
    assert!(
        ok(client.list_tables().send().await)
            .table_names()
            .is_empty()
    );

    server.shutdown();
}

#[tokio::test]
async fn delete_by_arn_then_missing_table_errors() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Gone", ("pk", ScalarAttributeType::S), None).await;
    let deleted = ok(client
        .delete_table()
        .table_name(table_arn("Gone"))
        .send()
        .await);
    assert_eq!(
        deleted.table_description().and_then(|d| d.table_name()),
        Some("Gone")
    );

    let missing = "Requested resource not found: Table: Gone not found";
    let result = client.describe_table().table_name("Gone").send().await;
    let typed = result.as_ref().err().and_then(|e| e.as_service_error());
    assert!(
        typed.is_some_and(|e| e.is_resource_not_found_exception()),
        "{result:?}"
    );
    assert_eq!(
        expect_service_error(result),
        ErrorParts::new("ResourceNotFoundException", missing, 400)
    );
    assert_eq!(
        expect_service_error(client.delete_table().table_name("Gone").send().await),
        ErrorParts::new("ResourceNotFoundException", missing, 400)
    );
    assert_eq!(
        expect_service_error(
            client
                .update_table()
                .table_name("Gone")
                .provisioned_throughput(throughput(2, 2))
                .send()
                .await
        ),
        ErrorParts::new("ResourceNotFoundException", missing, 400)
    );

    server.shutdown();
}

#[tokio::test]
async fn duplicate_create_is_resource_in_use() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Twice", ("pk", ScalarAttributeType::S), None).await;

    let result = client
        .create_table()
        .table_name("Twice")
        .attribute_definitions(attr_def("other", ScalarAttributeType::N))
        .key_schema(key("other", KeyType::Hash))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    let typed = result.as_ref().err().and_then(|e| e.as_service_error());
    assert!(
        typed.is_some_and(|e| e.is_resource_in_use_exception()),
        "{result:?}"
    );
    assert_eq!(
        expect_service_error(result),
        ErrorParts::new("ResourceInUseException", "Table already exists: Twice", 400)
    );
    // The first definition is untouched.
    assert_eq!(
        describe(&client, "Twice").await.key_schema(),
        [key("pk", KeyType::Hash)]
    );

    server.shutdown();
}

#[tokio::test]
async fn tags_round_trip() {
    let server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Tagged", ("pk", ScalarAttributeType::S), None).await;
    let arn = table_arn("Tagged");
    let tag = |k: &str, v: &str| ok(Tag::builder().key(k).value(v).build());

    ok(client
        .tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", "storage"))
        .tags(tag("env", "test"))
        .send()
        .await);
    let listed = ok(client
        .list_tags_of_resource()
        .resource_arn(&arn)
        .send()
        .await);
    let mut tags: Vec<(String, String)> = listed
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    tags.sort();
    assert_eq!(
        tags,
        [
            ("env".to_owned(), "test".to_owned()),
            ("team".to_owned(), "storage".to_owned())
        ]
    );

    ok(client
        .untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await);
    let listed = ok(client
        .list_tags_of_resource()
        .resource_arn(&arn)
        .send()
        .await);
    assert_eq!(listed.tags(), [tag("team", "storage")]);

    let err = expect_service_error(
        client
            .list_tags_of_resource()
            .resource_arn(table_arn("NoSuchTable"))
            .send()
            .await,
    );
    assert_eq!(
        (err.code.as_str(), err.status),
        ("ResourceNotFoundException", 400)
    );

    server.shutdown();
}

#[tokio::test]
async fn describe_limits_and_endpoints() {
    let server = Server::start_with(Storage::InMemory, None);
    let client = server.client();

    let limits = ok(client.describe_limits().send().await);
    // AWS's default quotas.
    assert_eq!(limits.account_max_read_capacity_units(), Some(80_000));
    assert_eq!(limits.account_max_write_capacity_units(), Some(80_000));
    assert_eq!(limits.table_max_read_capacity_units(), Some(40_000));
    assert_eq!(limits.table_max_write_capacity_units(), Some(40_000));

    let endpoints = ok(client.describe_endpoints().send().await);
    let first = endpoints
        .endpoints()
        .first()
        .unwrap_or_else(|| panic!("no endpoints"));
    let address = server.endpoint();
    let host_port = address.trim_start_matches("http://");
    assert_eq!(
        first.address(),
        host_port,
        "DescribeEndpoints names the address the request was sent to"
    );

    server.shutdown();
}
