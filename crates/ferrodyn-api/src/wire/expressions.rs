//! The expression and legacy members of item requests, read from the wire.
//!
//! The shape check has already enforced the members' JSON types and enums,
//! so these readers only convert; attribute values inside them are checked
//! as everywhere else, with the member named in the message as DynamoDB
//! does.

use std::collections::BTreeMap;

use ferrodyn_core::expressions::{
    AttributeAction, AttributeUpdate, ComparisonOperator, ConditionalOperator, ExpectedAttribute,
    ExpressionInput, LegacyInput,
};
use ferrodyn_model::AttributeValue;
use serde_json::Value;

use super::opt_str;
use super::value::attribute_value;
use crate::error::ApiError;

/// The expression members of a request.
pub fn expression_input(body: &Value) -> Result<ExpressionInput, ApiError> {
    let text = |member: &str| opt_str(body, member).map(str::to_owned);
    Ok(ExpressionInput {
        condition: text("ConditionExpression"),
        update: text("UpdateExpression"),
        projection: text("ProjectionExpression"),
        filter: text("FilterExpression"),
        key_condition: text("KeyConditionExpression"),
        names: body
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
                    .collect()
            }),
        values: expression_values(body)?,
        ..ExpressionInput::default()
    })
}

/// `ExpressionAttributeValues`, each value checked. A bad value is
/// reported with the map and key it came from.
fn expression_values(body: &Value) -> Result<Option<BTreeMap<String, AttributeValue>>, ApiError> {
    let Some(map) = body
        .get("ExpressionAttributeValues")
        .and_then(Value::as_object)
    else {
        return Ok(None);
    };
    let mut values = BTreeMap::new();
    for (key, raw) in map {
        let value = attribute_value(raw, 0).map_err(|e| match e {
            ApiError::Validation(message) => ApiError::Validation(format!(
                "ExpressionAttributeValues contains invalid value: {message} for key {key}"
            )),
            other => other,
        })?;
        values.insert(key.clone(), value);
    }
    Ok(Some(values))
}

/// The legacy members of a request.
pub fn legacy_input(body: &Value) -> Result<LegacyInput, ApiError> {
    Ok(LegacyInput {
        attributes_to_get: body
            .get("AttributesToGet")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            }),
        attribute_updates: body
            .get("AttributeUpdates")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(name, update)| Ok((name.clone(), attribute_update(update)?)))
                    .collect::<Result<Vec<_>, ApiError>>()
            })
            .transpose()?,
        expected: body
            .get("Expected")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(name, entry)| Ok((name.clone(), expected_attribute(entry)?)))
                    .collect::<Result<Vec<_>, ApiError>>()
            })
            .transpose()?,
        conditional_operator: opt_str(body, "ConditionalOperator")
            .and_then(ConditionalOperator::from_wire_name),
        key_conditions: conditions(body, "KeyConditions")?,
        filter: match conditions(body, "QueryFilter")? {
            Some(filter) => Some(filter),
            None => conditions(body, "ScanFilter")?,
        },
    })
}

/// A map of legacy `Condition`s (`KeyConditions`, `QueryFilter`,
/// `ScanFilter`): an operator and its values per attribute.
fn conditions(
    body: &Value,
    member: &str,
) -> Result<Option<Vec<(String, ExpectedAttribute)>>, ApiError> {
    body.get(member)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(name, entry)| Ok((name.clone(), expected_attribute(entry)?)))
                .collect::<Result<Vec<_>, ApiError>>()
        })
        .transpose()
}

fn optional_value(entry: &Value, member: &str) -> Result<Option<AttributeValue>, ApiError> {
    match entry.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => attribute_value(v, 0).map(Some),
    }
}

fn attribute_update(entry: &Value) -> Result<AttributeUpdate, ApiError> {
    Ok(AttributeUpdate {
        action: opt_str(entry, "Action").and_then(AttributeAction::from_wire_name),
        value: optional_value(entry, "Value")?,
    })
}

fn expected_attribute(entry: &Value) -> Result<ExpectedAttribute, ApiError> {
    Ok(ExpectedAttribute {
        value: optional_value(entry, "Value")?,
        exists: entry.get("Exists").and_then(Value::as_bool),
        comparison_operator: opt_str(entry, "ComparisonOperator")
            .and_then(ComparisonOperator::from_wire_name),
        attribute_value_list: entry
            .get("AttributeValueList")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|v| attribute_value(v, 0))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?,
    })
}
