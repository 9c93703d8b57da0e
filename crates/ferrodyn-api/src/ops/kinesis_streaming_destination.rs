//! Enable-, Disable-, Describe- and UpdateKinesisStreamingDestination on the
//! wire: one file for the four, which share their shapes.

use ferrodyn_core::kinesis::DestinationChange;
use serde_json::{Map, Value, json};

use super::Call;
use crate::error::ApiError;
use crate::wire::{data_table_name, opt_str};

fn precision(body: &Value, member: &str) -> Option<String> {
    body.get(member)
        .and_then(|c| opt_str(c, "ApproximateCreationDateTimePrecision"))
        .map(str::to_owned)
}

fn answer(c: DestinationChange, config_member: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert("TableName".into(), json!(c.table_name));
    m.insert("StreamArn".into(), json!(c.stream_arn));
    m.insert("DestinationStatus".into(), json!(c.status));
    if let Some(member) = config_member {
        // The configuration is echoed, `{}` when none was given.
        let mut config = Map::new();
        if let Some(p) = c.precision {
            config.insert("ApproximateCreationDateTimePrecision".into(), json!(p));
        }
        m.insert(member.into(), Value::Object(config));
    }
    Value::Object(m)
}

pub(super) fn enable(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = data_table_name(call.body, "TableName")?;
    let arn = opt_str(call.body, "StreamArn").unwrap_or_default();
    let c = call.db.enable_kinesis_destination(
        call.ctx,
        &name,
        arn,
        precision(call.body, "EnableKinesisStreamingConfiguration"),
    )?;
    Ok(answer(c, Some("EnableKinesisStreamingConfiguration")))
}

pub(super) fn disable(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = data_table_name(call.body, "TableName")?;
    if call
        .body
        .get("EnableKinesisStreamingConfiguration")
        .is_some_and(|c| !c.is_null())
    {
        return Err(ApiError::Validation(
            "Stream cannot be disabled using EnableKinesisStreamingConfiguration parameters".into(),
        ));
    }
    let arn = opt_str(call.body, "StreamArn").unwrap_or_default();
    let c = call.db.disable_kinesis_destination(call.ctx, &name, arn)?;
    Ok(answer(c, None))
}

pub(super) fn update(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = data_table_name(call.body, "TableName")?;
    let arn = opt_str(call.body, "StreamArn").unwrap_or_default();
    let c = call.db.update_kinesis_destination(
        call.ctx,
        &name,
        arn,
        precision(call.body, "UpdateKinesisStreamingConfiguration"),
    )?;
    Ok(answer(c, Some("UpdateKinesisStreamingConfiguration")))
}

pub(super) fn describe(call: &Call<'_>) -> Result<Value, ApiError> {
    let name = data_table_name(call.body, "TableName")?;
    let (table, destinations) = call.db.describe_kinesis_destinations(call.ctx, &name)?;
    let list: Vec<Value> = destinations
        .iter()
        .map(|d| {
            let mut m = Map::new();
            m.insert("StreamArn".into(), json!(d.stream_arn));
            m.insert("DestinationStatus".into(), json!(d.status.wire_name()));
            if let Some(reason) = &d.description {
                m.insert("DestinationStatusDescription".into(), json!(reason));
            }
            // Absent until set: then milliseconds, as AWS shows it.
            if let Some(p) = &d.precision {
                m.insert("ApproximateCreationDateTimePrecision".into(), json!(p));
            }
            Value::Object(m)
        })
        .collect();
    Ok(json!({ "TableName": table, "KinesisDataStreamDestinations": list }))
}
