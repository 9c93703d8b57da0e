//! Signature verification with credentials configured: the SDK's own SigV4
//! signing must be accepted with the right secret, and AWS's errors must
//! come back for a wrong secret or an unknown access key.

use aws_sdk_dynamodb::types::ScalarAttributeType;
use ferrodyn_e2e::{ErrorParts, Server, Storage, create_on_demand, expect_service_error, ok};

const CONFIG: &str = r#"
[[credentials]]
access_key_id = "AKIDE2EALICE"
secret_access_key = "alice-secret-key-for-e2e"
account_id = "111111111111"

[[credentials]]
access_key_id = "AKIDE2EBOB"
secret_access_key = "bob-secret-key-for-e2e"
account_id = "222222222222"
"#;

const WRONG_SECRET_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. \
     Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

#[tokio::test]
async fn configured_credentials_are_enforced() {
    let server = Server::start_with(Storage::InMemory, Some(CONFIG));
    let alice = server.client_with("AKIDE2EALICE", "alice-secret-key-for-e2e");

    // The right secret works, for reads and writes, and the table lives in
    // the credential's account.
    create_on_demand(&alice, "Secure", ("pk", ScalarAttributeType::S), None).await;
    let t = ok(alice.describe_table().table_name("Secure").send().await);
    assert_eq!(
        t.table().and_then(|t| t.table_arn()),
        Some("arn:aws:dynamodb:us-east-1:111111111111:table/Secure")
    );
    assert_eq!(
        ok(alice.list_tables().send().await).table_names(),
        ["Secure"]
    );

    // A wrong secret for a known key.
    let wrong = server.client_with("AKIDE2EALICE", "not-alices-secret");
    let err = expect_service_error(wrong.list_tables().send().await);
    assert_eq!(
        (err.code.as_str(), err.status),
        ("InvalidSignatureException", 400),
        "{err:?}"
    );
    // AWS may append the canonical request to this message; the start is fixed.
    assert!(err.message.starts_with(WRONG_SECRET_MESSAGE), "{err:?}");
    // A write with a bad signature has no effect.
    let err = expect_service_error(wrong.delete_table().table_name("Secure").send().await);
    assert_eq!(err.code, "InvalidSignatureException");

    // An access key the server does not know.
    let unknown = server.client_with("AKIDE2EMALLORY", "alice-secret-key-for-e2e");
    assert_eq!(
        expect_service_error(unknown.describe_table().table_name("Secure").send().await),
        ErrorParts::new(
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
            400
        )
    );

    // Another account does not see Alice's table.
    let bob = server.client_with("AKIDE2EBOB", "bob-secret-key-for-e2e");
    assert!(ok(bob.list_tables().send().await).table_names().is_empty());
    let err = expect_service_error(bob.describe_table().table_name("Secure").send().await);
    assert_eq!(err.code, "ResourceNotFoundException");

    // Alice's table survived the rejected delete.
    assert_eq!(
        ok(alice.list_tables().send().await).table_names(),
        ["Secure"]
    );

    server.shutdown();
}

#[tokio::test]
async fn local_mode_accepts_any_well_formed_signature() {
    // No credentials configured: every key maps to the default account.
    let server = Server::start_with(Storage::InMemory, None);
    let one = server.client_with("AKIDANYONE", "any-secret");
    let two = server.client_with("AKIDSOMEONEELSE", "another-secret");
    create_on_demand(&one, "Shared", ("pk", ScalarAttributeType::S), None).await;
    assert_eq!(ok(two.list_tables().send().await).table_names(), ["Shared"]);
    server.shutdown();
}
