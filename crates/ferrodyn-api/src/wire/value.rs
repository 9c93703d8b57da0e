//! Attribute values on the wire: `{"S": "x"}`, `{"N": "1.5"}`, `{"B":
//! "base64"}`, ... converted to and from the model's [`AttributeValue`],
//! with DynamoDB's validation messages.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ferrodyn_model::limits::DOCUMENT_NESTING_DEPTH_MAX;
use ferrodyn_model::names::check_attribute_name;
use ferrodyn_model::number::NumberError;
use ferrodyn_model::{AttributeValue, Item, Number};
use serde_json::{Map, Value};

use crate::error::ApiError;

fn invalid(detail: impl std::fmt::Display) -> ApiError {
    ApiError::Validation(format!(
        "One or more parameter values were invalid: {detail}"
    ))
}

const NESTING_TOO_DEEP: &str = "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";

/// Checks that `s` is canonical base64, with the message AWS gives for a
/// Blob that is not.
pub fn check_base64(s: &str) -> Result<(), String> {
    if !s.len().is_multiple_of(4) {
        return Err(format!(
            "'{s}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: {}",
            s.len()
        ));
    }
    let bytes = s.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        let ok = c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=';
        let pad_in_middle = c == b'=' && bytes.get(i + 1).is_some_and(|&n| n != b'=');
        if !ok || pad_in_middle {
            let shown = if c == b'=' {
                bytes.get(i + 1).copied().unwrap_or(c)
            } else {
                c
            };
            return Err(format!(
                "'{s}' can not be converted to a Blob: Invalid Base64 character: '{}'",
                shown as char
            ));
        }
    }
    if STANDARD.decode(s).is_err() {
        return Err(format!(
            "'{s}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected"
        ));
    }
    Ok(())
}

/// Decodes standard base64.
pub fn decode_base64(s: &str) -> Result<Vec<u8>, ApiError> {
    STANDARD
        .decode(s)
        .map_err(|_| ApiError::Serialization(format!("'{s}' can not be converted to a Blob")))
}

pub use ferrodyn_transfer::ddb_json::encode_base64;

fn parse_number(s: &str) -> Result<Number, ApiError> {
    Number::parse(s).map_err(|e| match e {
        NumberError::NotANumber if s.is_empty() => {
            ApiError::Validation("The parameter cannot be converted to a numeric value".into())
        }
        NumberError::NotANumber => ApiError::Validation(format!(
            "The parameter cannot be converted to a numeric value: {s}"
        )),
        other => ApiError::Validation(other.to_string()),
    })
}

fn as_str(v: &Value) -> Result<&str, ApiError> {
    v.as_str()
        .ok_or_else(|| ApiError::Serialization("Unexpected value type in payload".into()))
}

fn as_array(v: &Value) -> Result<&Vec<Value>, ApiError> {
    v.as_array()
        .ok_or_else(|| ApiError::Serialization("Expected list or null".into()))
}

/// Converts one wire attribute value. `depth` counts the lists and maps
/// around it. DynamoDB counts the item as the first of its 32 nesting
/// levels, so the 32nd list or map is refused.
pub fn attribute_value(v: &Value, depth: usize) -> Result<AttributeValue, ApiError> {
    let Value::Object(obj) = v else {
        return Err(ApiError::Serialization(
            "Unexpected value type in payload".into(),
        ));
    };
    let mut present = obj.iter().filter(|(_, v)| !v.is_null());
    let (tag, value) = match (present.next(), present.next()) {
        (None, _) => {
            return Err(ApiError::Validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into(),
            ));
        }
        (Some(one), None) => one,
        (Some(_), Some(_)) => {
            return Err(ApiError::Validation(
                "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".into(),
            ));
        }
    };
    Ok(match tag.as_str() {
        "S" => AttributeValue::S(as_str(value)?.to_owned()),
        "N" => AttributeValue::N(parse_number(as_str(value)?)?),
        "B" => AttributeValue::B(decode_base64(as_str(value)?)?),
        "BOOL" => {
            AttributeValue::Bool(value.as_bool().ok_or_else(|| {
                ApiError::Serialization("Unexpected value type in payload".into())
            })?)
        }
        "NULL" => {
            if value.as_bool() != Some(true) {
                return Err(invalid(
                    "Null attribute value types must have the value of true",
                ));
            }
            AttributeValue::Null
        }
        "M" => {
            if depth + 1 >= DOCUMENT_NESTING_DEPTH_MAX {
                return Err(ApiError::Validation(NESTING_TOO_DEEP.into()));
            }
            let Value::Object(map) = value else {
                return Err(ApiError::Serialization("Expected map or null".into()));
            };
            AttributeValue::M(map_of(map, depth + 1)?)
        }
        "L" => {
            if depth + 1 >= DOCUMENT_NESTING_DEPTH_MAX {
                return Err(ApiError::Validation(NESTING_TOO_DEEP.into()));
            }
            AttributeValue::L(
                as_array(value)?
                    .iter()
                    .map(|v| attribute_value(v, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        "SS" => {
            let raw = as_array(value)?;
            if raw.is_empty() {
                return Err(invalid("An string set  may not be empty"));
            }
            let set: Vec<String> = raw
                .iter()
                .map(|v| as_str(v).map(str::to_owned))
                .collect::<Result<_, _>>()?;
            if has_duplicates(&set) {
                return Err(invalid(format!(
                    "Input collection [{}] contains duplicates.",
                    set.join(", ")
                )));
            }
            AttributeValue::Ss(set)
        }
        "NS" => {
            let raw = as_array(value)?;
            if raw.is_empty() {
                return Err(invalid("An number set  may not be empty"));
            }
            let texts: Vec<&str> = raw.iter().map(as_str).collect::<Result<_, _>>()?;
            let set: Vec<Number> = texts
                .iter()
                .map(|s| parse_number(s))
                .collect::<Result<_, _>>()?;
            if has_duplicates(&set) {
                return Err(invalid(format!(
                    "Input collection [{}] contains duplicates.",
                    texts.join(", ")
                )));
            }
            AttributeValue::Ns(set)
        }
        "BS" => {
            let raw = as_array(value)?;
            if raw.is_empty() {
                return Err(invalid("Binary sets should not be empty"));
            }
            let texts: Vec<&str> = raw.iter().map(as_str).collect::<Result<_, _>>()?;
            let set: Vec<Vec<u8>> = texts
                .iter()
                .map(|s| decode_base64(s))
                .collect::<Result<_, _>>()?;
            if has_duplicates(&set) {
                return Err(invalid(format!(
                    "Input collection [{}]of type BS contains duplicates.",
                    texts.join(", ")
                )));
            }
            AttributeValue::Bs(set)
        }
        // Unknown members were already ignored by the shape check; a value
        // with only unknown members is empty.
        _ => {
            return Err(ApiError::Validation(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes".into(),
            ));
        }
    })
}

fn has_duplicates<T: Ord>(items: &[T]) -> bool {
    let mut sorted: Vec<&T> = items.iter().collect();
    sorted.sort();
    sorted.windows(2).any(|w| w[0] == w[1])
}

fn map_of(
    map: &Map<String, Value>,
    depth: usize,
) -> Result<BTreeMap<String, AttributeValue>, ApiError> {
    map.iter()
        .map(|(k, v)| Ok((k.clone(), attribute_value(v, depth)?)))
        .collect()
}

/// Converts a wire item or key (a map of attribute values). Its attribute
/// names must be 1 to 65,535 bytes long (nested map keys are not attribute
/// names and are not checked).
pub fn item(v: &Value) -> Result<Item, ApiError> {
    let Value::Object(map) = v else {
        return Err(ApiError::Serialization("Expected map or null".into()));
    };
    for name in map.keys() {
        check_attribute_name(name).map_err(invalid)?;
    }
    map_of(map, 0)
}

/// Attribute values and items in wire form: DynamoDB JSON, as exports
/// write it too.
pub use ferrodyn_transfer::ddb_json::{item_to_json, to_json};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        attribute_value(&v, 0).unwrap_err().to_string()
    }

    #[test]
    fn round_trip_every_type() {
        let wire = json!({
            "s": {"S": "x"}, "n": {"N": "1.50"}, "b": {"B": "AAE="}, "t": {"BOOL": true},
            "z": {"NULL": true}, "m": {"M": {"a": {"L": [{"N": "1"}]}}},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}, "bs": {"BS": ["AA=="]}
        });
        let it = item(&wire).expect("valid");
        let back = item_to_json(&it);
        let mut expected = wire.clone();
        expected["n"] = json!({"N": "1.5"});
        assert_eq!(back, expected);
    }

    #[test]
    fn aws_messages() {
        assert_eq!(
            err(json!({})),
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        );
        assert_eq!(
            err(json!({"S": "a", "N": "1"})),
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"
        );
        assert_eq!(
            err(json!({"SS": []})),
            "One or more parameter values were invalid: An string set  may not be empty"
        );
        assert_eq!(
            err(json!({"NS": []})),
            "One or more parameter values were invalid: An number set  may not be empty"
        );
        assert_eq!(
            err(json!({"BS": []})),
            "One or more parameter values were invalid: Binary sets should not be empty"
        );
        assert_eq!(
            err(json!({"SS": ["a", "a"]})),
            "One or more parameter values were invalid: Input collection [a, a] contains duplicates."
        );
        assert_eq!(
            err(json!({"BS": ["Yg==", "Yg=="]})),
            "One or more parameter values were invalid: Input collection [Yg==, Yg==]of type BS contains duplicates."
        );
        assert_eq!(
            err(json!({"NULL": false})),
            "One or more parameter values were invalid: Null attribute value types must have the value of true"
        );
        assert_eq!(
            err(json!({"N": "b"})),
            "The parameter cannot be converted to a numeric value: b"
        );
        assert_eq!(
            err(json!({"N": ""})),
            "The parameter cannot be converted to a numeric value"
        );
    }

    #[test]
    fn nesting_limit() {
        let mut v = json!({"S": "leaf"});
        // An item is the first level, so a value may sit inside 31 lists or
        // maps; DynamoDB rejects the 32nd.
        for _ in 0..DOCUMENT_NESTING_DEPTH_MAX - 1 {
            v = json!({"L": [v]});
        }
        assert!(attribute_value(&v, 0).is_ok());
        let v = json!({"L": [v]});
        assert_eq!(err(v), NESTING_TOO_DEEP);
    }

    #[test]
    fn base64_messages() {
        assert!(check_base64("AAE=").is_ok());
        assert_eq!(
            check_base64("abc").unwrap_err(),
            "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3"
        );
        assert_eq!(
            check_base64("ab!c").unwrap_err(),
            "'ab!c' can not be converted to a Blob: Invalid Base64 character: '!'"
        );
    }
}
