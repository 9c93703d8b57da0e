//! Items in DynamoDB JSON: each value an object with one member named by
//! its type (`{"S":"a"}`, `{"N":"1.5"}`, `{"B":"<base64>"}`, `{"SS":[...]}`,
//! `{"M":{...}}`, `{"NULL":true}`, ...), as the API and exports write them.

use std::collections::BTreeMap;

use base64::Engine as _;
use ferrodyn_model::AttributeValue;
use serde_json::{Map, Value};

/// Base64 (standard alphabet, padded), as DynamoDB JSON writes binaries.
pub fn encode_base64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// An attribute value in DynamoDB JSON.
pub fn to_json(v: &AttributeValue) -> Value {
    let mut m = Map::with_capacity(1);
    let (tag, value) = match v {
        AttributeValue::S(s) => ("S", Value::String(s.clone())),
        AttributeValue::N(n) => ("N", Value::String(n.to_string())),
        AttributeValue::B(b) => ("B", Value::String(encode_base64(b))),
        AttributeValue::Bool(b) => ("BOOL", Value::Bool(*b)),
        AttributeValue::Null => ("NULL", Value::Bool(true)),
        AttributeValue::M(map) => ("M", item_to_json(map)),
        AttributeValue::L(l) => ("L", Value::Array(l.iter().map(to_json).collect())),
        AttributeValue::Ss(s) => (
            "SS",
            Value::Array(s.iter().cloned().map(Value::String).collect()),
        ),
        AttributeValue::Ns(s) => (
            "NS",
            Value::Array(s.iter().map(|n| Value::String(n.to_string())).collect()),
        ),
        AttributeValue::Bs(s) => (
            "BS",
            Value::Array(s.iter().map(|b| Value::String(encode_base64(b))).collect()),
        ),
    };
    m.insert(tag.to_owned(), value);
    Value::Object(m)
}

/// An item (or a map's members) in DynamoDB JSON.
pub fn item_to_json(item: &BTreeMap<String, AttributeValue>) -> Value {
    Value::Object(item.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
}

/// One line of a DynamoDB JSON export: `{"Item":{...}}` and a newline.
pub fn item_line(item: &BTreeMap<String, AttributeValue>) -> Vec<u8> {
    let mut line = Vec::with_capacity(128);
    line.extend_from_slice(b"{\"Item\":");
    // Writing a `Value` to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut line, &item_to_json(item));
    line.extend_from_slice(b"}\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodyn_model::Number;

    #[test]
    fn a_line_holds_one_item_of_every_type() {
        let n = |s: &str| Number::parse(s).expect("number");
        let mut item = BTreeMap::new();
        item.insert("s".to_owned(), AttributeValue::S("a\"b".into()));
        item.insert("n".to_owned(), AttributeValue::N(n("1.50")));
        item.insert("b".to_owned(), AttributeValue::B(vec![0, 1]));
        item.insert("z".to_owned(), AttributeValue::Null);
        item.insert("t".to_owned(), AttributeValue::Bool(false));
        item.insert(
            "l".to_owned(),
            AttributeValue::L(vec![AttributeValue::Ns(vec![n("2")])]),
        );
        let line = String::from_utf8(item_line(&item)).expect("utf-8");
        assert_eq!(
            line,
            "{\"Item\":{\"b\":{\"B\":\"AAE=\"},\"l\":{\"L\":[{\"NS\":[\"2\"]}]},\"n\":{\"N\":\"1.5\"},\"s\":{\"S\":\"a\\\"b\"},\"t\":{\"BOOL\":false},\"z\":{\"NULL\":true}}}\n"
        );
    }
}
