//! What the DynamoDB Streams handlers share: the `Limit` bound that AWS
//! enforces beyond the service model's minimum, and a stream record on the
//! wire.

use ferrodyn_core::change::Origin;
use ferrodyn_core::ops::get_records::StreamRecord;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::wire::value::item_to_json;

/// `Limit`, at most `max` (AWS: 100 for ListStreams and DescribeStream,
/// 1,000 for GetRecords; the model gives only the minimum, 1, which the
/// shape check has enforced).
pub(super) fn limit(body: &Value, max: usize) -> Result<Option<usize>, ApiError> {
    let Some(n) = body.get("Limit").and_then(Value::as_u64) else {
        return Ok(None);
    };
    if n > max as u64 {
        // UNCONFIRMED wording: the coral constraint format (docs/compatibility.md).
        return Err(ApiError::Validation(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"
        )));
    }
    Ok(Some(n as usize))
}

/// One record as GetRecords sends it.
pub(super) fn record(r: &StreamRecord) -> Value {
    let mut dynamodb = Map::new();
    // Whole seconds, as a number (AWS sends e.g. 1568013979.0).
    dynamodb.insert(
        "ApproximateCreationDateTime".into(),
        json!(r.approximate_creation_secs as f64),
    );
    dynamodb.insert("Keys".into(), item_to_json(&r.keys));
    if let Some(new) = &r.new_image {
        dynamodb.insert("NewImage".into(), item_to_json(new));
    }
    if let Some(old) = &r.old_image {
        dynamodb.insert("OldImage".into(), item_to_json(old));
    }
    dynamodb.insert("SequenceNumber".into(), json!(r.sequence_number));
    dynamodb.insert("SizeBytes".into(), json!(r.size_bytes));
    dynamodb.insert("StreamViewType".into(), json!(r.view_type.wire_name()));
    let mut m = Map::new();
    m.insert("eventID".into(), json!(r.event_id));
    m.insert("eventName".into(), json!(r.event.wire_name()));
    m.insert("eventVersion".into(), json!("1.1"));
    m.insert("eventSource".into(), json!("aws:dynamodb"));
    m.insert("awsRegion".into(), json!(r.region));
    m.insert("dynamodb".into(), Value::Object(dynamodb));
    if r.origin == Origin::TimeToLive {
        m.insert(
            "userIdentity".into(),
            json!({"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}),
        );
    }
    Value::Object(m)
}
