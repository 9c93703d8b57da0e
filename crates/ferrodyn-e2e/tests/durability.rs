//! Durability across a graceful restart: what was acknowledged before
//! SIGTERM is there after the server starts again on the same data
//! directory, and what was deleted stays deleted. Every response on the way
//! passes the client's wire check (CRC32, request id, content type).

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, BillingMode, ScalarAttributeType, TableDescription};
use ferrodyn_e2e::{Server, create_on_demand, create_provisioned, ok};

type Item = HashMap<String, AttributeValue>;

const ITEMS: usize = 40;

fn item_for(i: usize) -> Item {
    let mut item = Item::new();
    item.insert("pk".to_owned(), AttributeValue::S(format!("user-{i:03}")));
    item.insert("n".to_owned(), AttributeValue::N(format!("{i}.50")));
    item.insert(
        "b".to_owned(),
        AttributeValue::B(Blob::new(vec![i as u8; i + 1])),
    );
    item.insert(
        "m".to_owned(),
        AttributeValue::M(HashMap::from([(
            "l".to_owned(),
            AttributeValue::L(vec![AttributeValue::Bool(i.is_multiple_of(2))]),
        )])),
    );
    item
}

/// The item as the server returns it: numbers normalised.
fn stored_for(i: usize) -> Item {
    let mut item = item_for(i);
    item.insert("n".to_owned(), AttributeValue::N(format!("{i}.5")));
    item
}

async fn describe(client: &Client, name: &str) -> TableDescription {
    ok(client.describe_table().table_name(name).send().await)
        .table()
        .cloned()
        .unwrap_or_else(|| panic!("no Table"))
}

async fn get(client: &Client, table: &str, pk: AttributeValue) -> Option<Item> {
    ok(client
        .get_item()
        .table_name(table)
        .key("pk", pk)
        .consistent_read(true)
        .send()
        .await)
    .item()
    .cloned()
}

#[tokio::test]
async fn data_survives_graceful_restart() {
    let mut server = Server::start();
    let client = server.client();

    create_on_demand(&client, "Users", ("pk", ScalarAttributeType::S), None).await;
    create_provisioned(
        &client,
        "Counters",
        ("pk", ScalarAttributeType::N),
        None,
        3,
        4,
    )
    .await;
    create_on_demand(&client, "Dropped", ("pk", ScalarAttributeType::S), None).await;
    ok(client
        .update_table()
        .table_name("Counters")
        .deletion_protection_enabled(true)
        .send()
        .await);
    for i in 0..ITEMS {
        ok(client
            .put_item()
            .table_name("Users")
            .set_item(Some(item_for(i)))
            .send()
            .await);
    }
    ok(client
        .put_item()
        .table_name("Counters")
        .item("pk", AttributeValue::N("7".into()))
        .send()
        .await);
    // Deleted before the restart: must stay deleted.
    ok(client
        .delete_item()
        .table_name("Users")
        .key("pk", AttributeValue::S("user-005".into()))
        .send()
        .await);
    ok(client.delete_table().table_name("Dropped").send().await);
    let users_before = describe(&client, "Users").await;
    let counters_before = describe(&client, "Counters").await;
    drop(client);

    server.restart();
    let client = server.client();

    assert_eq!(
        ok(client.list_tables().send().await).table_names(),
        ["Counters", "Users"]
    );
    for i in 0..ITEMS {
        let got = get(&client, "Users", AttributeValue::S(format!("user-{i:03}"))).await;
        if i == 5 {
            assert_eq!(got, None, "user-005 was deleted before the restart");
        } else {
            assert_eq!(got, Some(stored_for(i)), "user-{i:03} after restart");
        }
    }
    assert!(
        get(&client, "Counters", AttributeValue::N("7".into()))
            .await
            .is_some()
    );

    let users = describe(&client, "Users").await;
    assert_eq!(users.table_id(), users_before.table_id());
    assert_eq!(
        users.creation_date_time(),
        users_before.creation_date_time()
    );
    assert_eq!(users.item_count(), Some(ITEMS as i64 - 1));
    assert_eq!(users.table_size_bytes(), users_before.table_size_bytes());
    assert_eq!(
        users.billing_mode_summary().and_then(|s| s.billing_mode()),
        Some(&BillingMode::PayPerRequest)
    );
    let counters = describe(&client, "Counters").await;
    assert_eq!(counters.deletion_protection_enabled(), Some(true));
    assert_eq!(counters.key_schema(), counters_before.key_schema());
    assert_eq!(
        counters.attribute_definitions(),
        counters_before.attribute_definitions()
    );
    let pt = counters
        .provisioned_throughput()
        .unwrap_or_else(|| panic!("no ProvisionedThroughput"));
    assert_eq!(
        (pt.read_capacity_units(), pt.write_capacity_units()),
        (Some(3), Some(4))
    );

    // The restarted server takes writes, and they survive a second restart.
    ok(client
        .put_item()
        .table_name("Users")
        .item("pk", AttributeValue::S("after".into()))
        .send()
        .await);
    create_on_demand(&client, "Dropped", ("pk", ScalarAttributeType::S), None).await;
    drop(client);
    server.restart();
    let client = server.client();
    assert!(
        get(&client, "Users", AttributeValue::S("after".into()))
            .await
            .is_some()
    );
    assert_eq!(
        ok(client.list_tables().send().await).table_names(),
        ["Counters", "Dropped", "Users"]
    );
    assert_eq!(
        describe(&client, "Users").await.item_count(),
        Some(ITEMS as i64)
    );

    server.shutdown();
}

/// Many requests at once over the client's connection pool; each response
/// passes the wire check, and every write is there after a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_survive_restart() {
    const WRITERS: usize = 8;
    const WRITES_PER_WRITER: usize = 20;
    let mut server = Server::start();
    let client = server.client();
    create_on_demand(&client, "Busy", ("pk", ScalarAttributeType::S), None).await;

    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..WRITES_PER_WRITER {
                ok(client
                    .put_item()
                    .table_name("Busy")
                    .item("pk", AttributeValue::S(format!("w{w}-{i}")))
                    .item("v", AttributeValue::N(i.to_string()))
                    .send()
                    .await);
            }
        }));
    }
    for task in tasks {
        ok(task.await);
    }
    drop(client);

    server.restart();
    let client = server.client();
    assert_eq!(
        describe(&client, "Busy").await.item_count(),
        Some((WRITERS * WRITES_PER_WRITER) as i64)
    );
    for w in 0..WRITERS {
        for i in 0..WRITES_PER_WRITER {
            let got = get(&client, "Busy", AttributeValue::S(format!("w{w}-{i}"))).await;
            assert_eq!(
                got.and_then(|item| item.get("v").cloned()),
                Some(AttributeValue::N(i.to_string())),
                "w{w}-{i}"
            );
        }
    }
    server.shutdown();
}
