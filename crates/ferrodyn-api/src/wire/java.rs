//! Request values as DynamoDB's Java service prints them inside some
//! validation messages (`toString()` of its generated request classes).
//!
//! A few constraint messages echo a whole member rather than a scalar:
//!
//! ```text
//! Value '{t=[WriteRequest(putRequest=PutRequest(item={pk=AttributeValue(s=a, n=null, ...)},
//!   workloadProfileName=null), deleteRequest=null)]}' at 'requestItems' ...
//! ```
//!
//! (CreateTable's `KeySchemaElement(attributeName=pk, keyType=HASH)` is
//! rendered by the core, which checks the key schema's length.)
//!
//! The renderings here follow the captures of real AWS quoted beside each
//! function. Maps print in the order ferrodyn holds them (sorted keys); the
//! service's own order (a Java hash map's) cannot be reproduced.

use serde_json::Value;

/// `{k=v, ...}` with each value rendered by `value`.
fn map(m: &serde_json::Map<String, Value>, value: impl Fn(&Value) -> String) -> String {
    let entries: Vec<String> = m.iter().map(|(k, v)| format!("{k}={}", value(v))).collect();
    format!("{{{}}}", entries.join(", "))
}

/// `[a, b]` with each element rendered by `value`.
fn list(items: &[Value], value: impl Fn(&Value) -> String) -> String {
    let entries: Vec<String> = items.iter().map(value).collect();
    format!("[{}]", entries.join(", "))
}

/// A string member: its text, or `null`.
fn string(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A blob as Java prints a `ByteBuffer`.
fn blob(v: &Value) -> String {
    let len = v
        .as_str()
        .and_then(|s| super::value::decode_base64(s).ok())
        .map_or(0, |b| b.len());
    format!("java.nio.HeapByteBuffer[pos=0 lim={len} cap={len}]")
}

/// An `AttributeValue`, with every field of the service's class in its
/// order [conformance captures/2026-06-09-validation-rewording.json,
/// probe c_bw_over25]: `AttributeValue(s=bw-0, n=null, b=null, iNT=null, ...)`.
pub fn attribute_value(v: &Value) -> String {
    let field = |name: &str| v.get(name).filter(|x| !x.is_null());
    let or_null = |x: Option<String>| x.unwrap_or_else(|| "null".to_owned());
    let strings = |name: &str| {
        field(name)
            .and_then(Value::as_array)
            .map(|a| list(a, |e| string(Some(e))))
    };
    let fields = [
        ("s", field("S").map(|x| string(Some(x)))),
        ("n", field("N").map(|x| string(Some(x)))),
        ("b", field("B").map(blob)),
        ("iNT", None),
        ("dECIMAL", None),
        ("dOUBLE", None),
        ("sS", strings("SS")),
        ("nS", strings("NS")),
        (
            "bS",
            field("BS").and_then(Value::as_array).map(|a| list(a, blob)),
        ),
        ("iNTSET", None),
        ("dECIMALSET", None),
        ("dOUBLESET", None),
        (
            "m",
            field("M")
                .and_then(Value::as_object)
                .map(|m| map(m, attribute_value)),
        ),
        (
            "l",
            field("L")
                .and_then(Value::as_array)
                .map(|a| list(a, attribute_value)),
        ),
        ("nULL", field("NULL").map(|x| string(Some(x)))),
        ("bOOL", field("BOOL").map(|x| string(Some(x)))),
    ];
    let parts: Vec<String> = fields
        .into_iter()
        .map(|(name, value)| format!("{name}={}", or_null(value)))
        .collect();
    format!("AttributeValue({})", parts.join(", "))
}

/// A map of attribute values (an item or a key), or `null`.
fn item(v: Option<&Value>) -> String {
    match v.and_then(Value::as_object) {
        Some(m) => map(m, attribute_value),
        None => "null".to_owned(),
    }
}

/// A `WriteRequest` of BatchWriteItem [conformance probe c_bw_over25]:
/// `WriteRequest(putRequest=PutRequest(item={...}, workloadProfileName=null),
/// deleteRequest=null)`. UNCONFIRMED: the delete form, by analogy
/// (no capture shows a DeleteRequest).
pub fn write_request(v: &Value) -> String {
    let put = v
        .get("PutRequest")
        .filter(|x| !x.is_null())
        .map(|p| {
            format!(
                "PutRequest(item={}, workloadProfileName=null)",
                item(p.get("Item"))
            )
        })
        .unwrap_or_else(|| "null".to_owned());
    let delete = v
        .get("DeleteRequest")
        .filter(|x| !x.is_null())
        .map(|d| {
            format!(
                "DeleteRequest(key={}, workloadProfileName=null)",
                item(d.get("Key"))
            )
        })
        .unwrap_or_else(|| "null".to_owned());
    format!("WriteRequest(putRequest={put}, deleteRequest={delete})")
}

/// BatchWriteItem's `RequestItems`: `{table=[WriteRequest(...), ...], ...}`.
pub fn write_request_items(v: &Value) -> String {
    match v.as_object() {
        Some(m) => map(m, |requests| match requests.as_array() {
            Some(a) => list(a, write_request),
            None => "null".to_owned(),
        }),
        None => "null".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn write_requests_print_as_the_capture() {
        let v = json!({"PutRequest": {"Item": {"pk": {"S": "bw-0"}}}});
        assert_eq!(
            write_request(&v),
            "WriteRequest(putRequest=PutRequest(item={pk=AttributeValue(s=bw-0, n=null, b=null, iNT=null, dECIMAL=null, dOUBLE=null, sS=null, nS=null, bS=null, iNTSET=null, dECIMALSET=null, dOUBLESET=null, m=null, l=null, nULL=null, bOOL=null)}, workloadProfileName=null), deleteRequest=null)"
        );
    }

    #[test]
    fn nested_values() {
        let v = json!({"L": [{"N": "1"}], "M": {"a": {"BOOL": true}}});
        let s = attribute_value(&v);
        assert!(s.contains("m={a=AttributeValue(s=null"), "{s}");
        assert!(
            s.contains("bOOL=true)}, l=[AttributeValue(s=null, n=1,"),
            "{s}"
        );
        assert_eq!(
            attribute_value(&json!({"B": "AAE="})).split(", ").nth(2),
            Some("b=java.nio.HeapByteBuffer[pos=0 lim=2 cap=2]")
        );
    }
}
