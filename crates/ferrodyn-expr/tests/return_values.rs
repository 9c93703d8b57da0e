//! ReturnValues UPDATED_OLD and UPDATED_NEW: the old and new items projected
//! on the paths an update names. The expectation is dynalite's test of this
//! update, which runs against DynamoDB.

mod support;

use std::collections::BTreeMap;

use ferrodyn_expr::{Placeholders, parse_update, project};
use ferrodyn_model::AttributeValue;

#[test]
fn updated_new_projects_the_named_positions() {
    let old = support::item(
        r#"{"a": {"S": "key"}, "b": {"M": {"a": {"N": "1"}, "b": {"N": "2"}, "c": {"N": "3"}}},
            "c": {"L": [{"N": "1"}, {"N": "3"}]}}"#,
    );
    let values: BTreeMap<String, AttributeValue> = support::map_from_json(
        &serde_json::from_str(r#"{":a": {"N": "2"}, ":b": {"SS": ["a"]}}"#).expect("json"),
    )
    .expect("values");
    let update = parse_update(
        "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a",
        Placeholders::new(None, Some(&values)),
    )
    .expect("parse");
    let outcome = update.apply(&old).expect("apply");
    assert_eq!(
        support::item_text(&project(&outcome.item, &outcome.updated_paths)),
        r#"{"b":{"M":{"a":{"S":"key"},"c":{"N":"4"}}},"c":{"L":[{"S":"key"},{"N":"3"},{"N":"2"}]}}"#
    );
    assert_eq!(
        support::item_text(&project(&old, &outcome.updated_paths)),
        r#"{"b":{"M":{"a":{"N":"1"},"c":{"N":"3"}}},"c":{"L":[{"N":"3"}]}}"#
    );
}

#[test]
fn removed_attributes_are_absent_from_updated_new() {
    let old = support::item(r#"{"a": {"N": "1"}, "b": {"N": "2"}}"#);
    let update = parse_update("REMOVE a", Placeholders::none()).expect("parse");
    let outcome = update.apply(&old).expect("apply");
    assert_eq!(
        support::item_text(&project(&outcome.item, &outcome.updated_paths)),
        "{}"
    );
    assert_eq!(
        support::item_text(&project(&old, &outcome.updated_paths)),
        r#"{"a":{"N":"1"}}"#
    );
}
