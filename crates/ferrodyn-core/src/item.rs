//! Keys of items: validation against the table's schema (with DynamoDB's
//! messages) and the storage key they map to.

use ferrodyn_model::keycode;
use ferrodyn_model::limits::{PARTITION_KEY_BYTES_MAX, SORT_KEY_BYTES_MAX};
use ferrodyn_model::schema::{KeyAttribute, KeySchema};
use ferrodyn_model::{AttributeValue, Item};

use crate::error::{CoreError, Result};
use crate::keyspace;

/// Checks one key attribute's value: type, emptiness, size. `whole_item`
/// selects PutItem's messages over Get/Delete's.
fn check_key_value(attr: &KeyAttribute, value: &AttributeValue, is_sort: bool) -> Result<()> {
    let size = match value {
        AttributeValue::S(s) if s.is_empty() => {
            return Err(CoreError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {}",
                attr.name
            )));
        }
        AttributeValue::B(b) if b.is_empty() => {
            return Err(CoreError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: {}",
                attr.name
            )));
        }
        other => other.size_bytes(),
    };
    if !is_sort && size > PARTITION_KEY_BYTES_MAX {
        return Err(CoreError::invalid_parameter(format!(
            "Size of hashkey has exceeded the maximum size limit of{PARTITION_KEY_BYTES_MAX} bytes"
        )));
    }
    if is_sort && size > SORT_KEY_BYTES_MAX {
        return Err(CoreError::invalid_parameter(format!(
            "Aggregated size of all range keys has exceeded the size limit of {SORT_KEY_BYTES_MAX} bytes"
        )));
    }
    Ok(())
}

/// Validates the key attributes of a whole item (PutItem) and returns the
/// item's storage key.
pub fn key_from_item(table_id: u64, schema: &KeySchema, item: &Item) -> Result<Vec<u8>> {
    for (attr, is_sort) in schema
        .attributes()
        .map(|a| (a, Some(a) == schema.sort.as_ref()))
    {
        let value = item.get(&attr.name).ok_or_else(|| {
            CoreError::invalid_parameter(format!("Missing the key {} in the item", attr.name))
        })?;
        if !attr.scalar_type.matches(value) {
            return Err(CoreError::invalid_parameter(format!(
                "Type mismatch for key {} expected: {} actual: {}",
                attr.name,
                attr.scalar_type.wire_name(),
                value.attribute_type().wire_name()
            )));
        }
        check_key_value(attr, value, is_sort)?;
    }
    storage_key(table_id, schema, item)
}

/// Validates a `Key` parameter (GetItem, DeleteItem, UpdateItem): exactly
/// the schema's attributes, of the right types. Returns the storage key.
pub fn key_from_key(table_id: u64, schema: &KeySchema, key: &Item) -> Result<Vec<u8>> {
    let mismatch = || CoreError::validation("The provided key element does not match the schema");
    let expected = 1 + usize::from(schema.sort.is_some());
    if key.len() != expected {
        return Err(mismatch());
    }
    for (attr, is_sort) in schema
        .attributes()
        .map(|a| (a, Some(a) == schema.sort.as_ref()))
    {
        let value = key.get(&attr.name).ok_or_else(mismatch)?;
        if !attr.scalar_type.matches(value) {
            return Err(mismatch());
        }
        check_key_value(attr, value, is_sort)?;
    }
    storage_key(table_id, schema, key)
}

fn storage_key(table_id: u64, schema: &KeySchema, item: &Item) -> Result<Vec<u8>> {
    let missing = || CoreError::Internal("key attribute vanished after validation".into());
    let partition = item.get(&schema.partition.name).ok_or_else(missing)?;
    let sort = match &schema.sort {
        Some(s) => Some(item.get(&s.name).ok_or_else(missing)?),
        None => None,
    };
    let mut key = Vec::with_capacity(64);
    key.push(keyspace::ITEMS);
    keycode::encode_item_key(table_id, partition, sort, &mut key)
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    Ok(key)
}
