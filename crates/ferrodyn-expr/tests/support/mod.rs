//! Test helpers: DynamoDB's JSON notation for values and items.
//!
//! Golden files write values as on the wire (`{"S": "x"}`, `{"N": "1"}`,
//! `{"B": "<base64>"}`, ...), which keeps them readable next to AWS's
//! documentation and easy to compare with real responses. The legacy
//! parameters (`Expected`, `AttributeUpdates`) are written as on the wire too.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::collections::BTreeMap;

use ferrodyn_expr::{AttributeAction, AttributeUpdate, ComparisonOperator, ExpectedAttribute};
use ferrodyn_model::{AttributeValue, Item, Number};
use serde_json::{Map, Value, json};

/// Parses a DynamoDB-JSON value.
pub fn value_from_json(json: &Value) -> Result<AttributeValue, String> {
    let object = json
        .as_object()
        .ok_or_else(|| format!("not an object: {json}"))?;
    let [(tag, inner)] = object.iter().collect::<Vec<_>>()[..] else {
        return Err(format!("expected one type tag: {json}"));
    };
    let string = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .ok_or(format!("not a string: {v}"))
    };
    let array = |v: &Value| v.as_array().cloned().ok_or(format!("not an array: {v}"));
    let number = |v: &Value| {
        let s = string(v)?;
        Number::parse(&s).map_err(|e| format!("{s}: {e}"))
    };
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(string(inner)?),
        "N" => AttributeValue::N(number(inner)?),
        "B" => AttributeValue::B(base64_decode(&string(inner)?)?),
        "BOOL" => AttributeValue::Bool(inner.as_bool().ok_or("BOOL not a bool")?),
        "NULL" => AttributeValue::Null,
        "M" => AttributeValue::M(map_from_json(inner)?),
        "L" => AttributeValue::L(
            array(inner)?
                .iter()
                .map(value_from_json)
                .collect::<Result<_, _>>()?,
        ),
        "SS" => AttributeValue::Ss(array(inner)?.iter().map(string).collect::<Result<_, _>>()?),
        "NS" => AttributeValue::Ns(array(inner)?.iter().map(number).collect::<Result<_, _>>()?),
        "BS" => AttributeValue::Bs(
            array(inner)?
                .iter()
                .map(|v| base64_decode(&string(v)?))
                .collect::<Result<_, _>>()?,
        ),
        other => return Err(format!("unknown type tag {other}")),
    })
}

/// Parses a DynamoDB-JSON map of values (an item, or an M's content).
pub fn map_from_json(json: &Value) -> Result<BTreeMap<String, AttributeValue>, String> {
    json.as_object()
        .ok_or_else(|| format!("not an object: {json}"))?
        .iter()
        .map(|(k, v)| Ok((k.clone(), value_from_json(v)?)))
        .collect()
}

/// Parses an item from DynamoDB JSON text.
pub fn item(text: &str) -> Item {
    let json: Value = serde_json::from_str(text).expect("item JSON");
    map_from_json(&json).expect("item")
}

/// DynamoDB JSON for a value.
pub fn value_to_json(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::S(s) => json!({ "S": s }),
        AttributeValue::N(n) => json!({ "N": n.to_string() }),
        AttributeValue::B(b) => json!({ "B": base64_encode(b) }),
        AttributeValue::Bool(b) => json!({ "BOOL": b }),
        AttributeValue::Null => json!({ "NULL": true }),
        AttributeValue::M(m) => json!({ "M": map_to_json(m) }),
        AttributeValue::L(l) => json!({ "L": l.iter().map(value_to_json).collect::<Vec<_>>() }),
        AttributeValue::Ss(s) => json!({ "SS": s }),
        AttributeValue::Ns(s) => {
            json!({ "NS": s.iter().map(ToString::to_string).collect::<Vec<_>>() })
        }
        AttributeValue::Bs(s) => {
            json!({ "BS": s.iter().map(|b| base64_encode(b)).collect::<Vec<_>>() })
        }
    }
}

/// DynamoDB JSON for a map of values (keys sorted).
pub fn map_to_json(map: &BTreeMap<String, AttributeValue>) -> Value {
    let mut object = Map::new();
    for (k, v) in map {
        object.insert(k.clone(), value_to_json(v));
    }
    Value::Object(object)
}

/// Compact DynamoDB JSON text for an item.
pub fn item_text(item: &Item) -> String {
    map_to_json(item).to_string()
}

/// Compact DynamoDB JSON text for a value.
pub fn value_text(value: &AttributeValue) -> String {
    value_to_json(value).to_string()
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|a| *a == c)
            .ok_or(format!("bad base64 {text}"))? as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

/// Parses a wire `Expected` map (`{"a": {"Value": ..., "Exists": ...,
/// "ComparisonOperator": ..., "AttributeValueList": [...]}}`), entries in
/// name order.
pub fn expected_from_json(json: &Value) -> Result<Vec<(String, ExpectedAttribute)>, String> {
    let object = json.as_object().ok_or(format!("not an object: {json}"))?;
    object
        .iter()
        .map(|(name, entry)| {
            let fields = entry.as_object().ok_or(format!("not an object: {entry}"))?;
            let mut parsed = ExpectedAttribute::default();
            for (key, field) in fields {
                match key.as_str() {
                    "Value" => parsed.value = Some(value_from_json(field)?),
                    "Exists" => {
                        parsed.exists = Some(field.as_bool().ok_or("Exists not a bool")?);
                    }
                    "ComparisonOperator" => {
                        let name = field.as_str().ok_or("ComparisonOperator not a string")?;
                        parsed.comparison_operator = Some(
                            ComparisonOperator::from_wire_name(name)
                                .ok_or(format!("unknown operator {name}"))?,
                        );
                    }
                    "AttributeValueList" => {
                        let list = field.as_array().ok_or("AttributeValueList not an array")?;
                        parsed.attribute_value_list =
                            Some(list.iter().map(value_from_json).collect::<Result<_, _>>()?);
                    }
                    other => return Err(format!("unknown Expected field {other}")),
                }
            }
            Ok((name.clone(), parsed))
        })
        .collect()
}

/// Parses a wire `AttributeUpdates` map (`{"a": {"Action": ..., "Value":
/// ...}}`), entries in name order.
pub fn updates_from_json(json: &Value) -> Result<Vec<(String, AttributeUpdate)>, String> {
    let object = json.as_object().ok_or(format!("not an object: {json}"))?;
    object
        .iter()
        .map(|(name, entry)| {
            let fields = entry.as_object().ok_or(format!("not an object: {entry}"))?;
            let mut parsed = AttributeUpdate::default();
            for (key, field) in fields {
                match key.as_str() {
                    "Value" => parsed.value = Some(value_from_json(field)?),
                    "Action" => {
                        let name = field.as_str().ok_or("Action not a string")?;
                        parsed.action = Some(
                            AttributeAction::from_wire_name(name)
                                .ok_or(format!("unknown action {name}"))?,
                        );
                    }
                    other => return Err(format!("unknown AttributeUpdates field {other}")),
                }
            }
            Ok((name.clone(), parsed))
        })
        .collect()
}
