//! Secondary indexes: their definitions, and the index entries an item
//! maps to.
//!
//! An index is a second ordered copy of (part of) each item, keyed by the
//! index's key and then the table's key, so that a Query on the index is
//! one range scan, exactly like a Query on the table:
//!
//! ```text
//! entry key   = 0x05 | index id (u64 BE) | hash(index partition key) (u64 BE)
//!             | index partition key | index sort key (if any)
//!             | table partition key | table sort key (if any)
//!
//! A global index may have up to four partition-key and four sort-key
//! attributes (multi-attribute keys): their encoded values follow each other
//! in key-schema order, the hash covering all the partition values.
//! entry value = the projected item (ferrodyn_model::codec): the table's and
//!               the index's key attributes, plus what the projection names
//! ```
//!
//! The table key at the end makes every entry unique, and orders items that
//! share an index key by table key. An item lacking one of the index's key
//! attributes has no entry (a sparse index). Index ids come from the same
//! allocator as table ids and are never reused.
//!
//! **Invariant:** an item has at most one entry per index, at the key its
//! committed version maps to; `Database::stage_write` replaces it in the
//! same atomic commit as the item.

use ferrodyn_model::keycode;
use ferrodyn_model::limits::{INDEX_PARTITION_KEY_BYTES_MAX, INDEX_SORT_KEY_BYTES_MAX};
use ferrodyn_model::schema::{KeyAttribute, KeySchema, ScalarType};
use ferrodyn_model::{AttributeValue, Item};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::keyspace;
use crate::table::{StoredKey, TableMeta, Throughput};

/// Global or local.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexKind {
    /// A global secondary index: any partition key, eventually consistent.
    Global,
    /// A local secondary index: the table's partition key, another sort key.
    Local,
}

/// `ProjectionType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectionType {
    /// Every attribute.
    All,
    /// Only the table's and the index's key attributes.
    KeysOnly,
    /// The keys and `NonKeyAttributes`.
    Include,
}

impl ProjectionType {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            ProjectionType::All => "ALL",
            ProjectionType::KeysOnly => "KEYS_ONLY",
            ProjectionType::Include => "INCLUDE",
        }
    }
}

/// Where an index is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexStatus {
    /// Being built from the table's items (`Backfilling`).
    Creating,
    /// Serving.
    Active,
}

impl IndexStatus {
    /// The wire name.
    pub fn wire_name(self) -> &'static str {
        match self {
            IndexStatus::Creating => "CREATING",
            IndexStatus::Active => "ACTIVE",
        }
    }
}

/// A secondary index, as stored in its table's metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexMeta {
    /// Internal id, the prefix of its entries.
    pub id: u64,
    /// `IndexName`.
    pub name: String,
    /// Global or local.
    pub kind: IndexKind,
    /// The index's partition-key attributes (one, or up to four for a
    /// global index).
    pub partition_keys: Vec<StoredKey>,
    /// The index's sort-key attributes (none, one, or up to four for a
    /// global index).
    pub sort_keys: Vec<StoredKey>,
    /// `ProjectionType`.
    pub projection: ProjectionType,
    /// `NonKeyAttributes`, for `INCLUDE`.
    pub non_key_attributes: Vec<String>,
    /// Provisioned throughput (global indexes of provisioned tables).
    pub throughput: Option<Throughput>,
    /// Status.
    pub status: IndexStatus,
}

impl IndexMeta {
    /// The index's key schema.
    pub fn key_schema(&self) -> IndexKeySchema {
        IndexKeySchema {
            partition: self.partition_keys.iter().map(stored_to_key).collect(),
            sort: self.sort_keys.iter().map(stored_to_key).collect(),
        }
    }

    /// The index's ARN.
    pub fn arn(&self, table: &TableMeta) -> String {
        format!("{}/index/{}", table.arn(), self.name)
    }

    /// Whether the index is still being built from the table's items.
    pub fn is_backfilling(&self) -> bool {
        self.status == IndexStatus::Creating
    }

    /// Whether `name` is projected into the index (key attributes always
    /// are).
    pub fn projects(&self, table: &TableMeta, name: &str) -> bool {
        match self.projection {
            ProjectionType::All => true,
            // Compared against the stored names: this runs for every
            // attribute of every item written, so it builds no schema.
            _ => {
                table.partition_key.name == name
                    || table.sort_key.as_ref().is_some_and(|k| k.name == name)
                    || self.partition_keys.iter().any(|k| k.name == name)
                    || self.sort_keys.iter().any(|k| k.name == name)
                    || self.non_key_attributes.iter().any(|a| a == name)
            }
        }
    }

    /// Checks the index key attributes of an item about to be written:
    /// present ones must have the declared type, not be empty, and fit the
    /// index key size limits (2,048 bytes for a partition-key attribute,
    /// 1,024 for a sort-key attribute, sized as table keys are).
    pub fn validate(&self, item: &Item) -> Result<()> {
        let schema = self.key_schema();
        let attributes = schema
            .partition
            .iter()
            .map(|a| (a, false))
            .chain(schema.sort.iter().map(|a| (a, true)));
        for (attr, is_sort) in attributes {
            let Some(value) = item.get(&attr.name) else {
                continue;
            };
            if !attr.scalar_type.matches(value) {
                return Err(CoreError::invalid_parameter(format!(
                    "Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                    attr.name,
                    attr.scalar_type.wire_name(),
                    value.attribute_type().wire_name(),
                    self.name
                )));
            }
            let empty = match value {
                AttributeValue::S(s) => s.is_empty().then_some("string"),
                AttributeValue::B(b) => b.is_empty().then_some("binary"),
                _ => None,
            };
            if let Some(kind) = empty {
                return Err(CoreError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. IndexName: {}, IndexKey: {}",
                    self.name, attr.name
                )));
            }
            let max = index_key_bytes_max(is_sort);
            let size = value.size_bytes();
            if size > max {
                // AWS's wording for a partition key (production logs quoted in
                // wellcomecollection/platform#2285 and architect/dynalite#35);
                // the sort-key form with 1024 is by analogy (docs/compatibility.md).
                return Err(CoreError::invalid_parameter(format!(
                    "Size limit exceeded for Index Key {} Actual Size: {size} bytes Max Size: {max} bytes IndexName: {}",
                    attr.name, self.name
                )));
            }
        }
        Ok(())
    }

    /// The entry `item` maps to: its key and projected value, or `None` if
    /// the item lacks (or has an unusable value for) an index key
    /// attribute. Unusable means what [`IndexMeta::validate`] refuses: the
    /// wrong type, an empty string or binary, or a value over the index key
    /// size limits. A write never stores such an item, but a backfill meets
    /// items written before the index existed, and skips them.
    pub fn entry(&self, table: &TableMeta, item: &Item) -> Result<Option<(Vec<u8>, Item)>> {
        let schema = self.key_schema();
        let usable = |attr: &KeyAttribute, is_sort: bool| {
            item.get(&attr.name).filter(|v| {
                attr.scalar_type.matches(v)
                    && !matches!(v, AttributeValue::S(s) if s.is_empty())
                    && !matches!(v, AttributeValue::B(b) if b.is_empty())
                    && v.size_bytes() <= index_key_bytes_max(is_sort)
            })
        };
        let Some(partition) = schema
            .partition
            .iter()
            .map(|a| usable(a, false))
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(None);
        };
        let Some(sort) = schema
            .sort
            .iter()
            .map(|a| usable(a, true))
            .collect::<Option<Vec<_>>>()
        else {
            return Ok(None);
        };
        let internal = |e: keycode::KeyDecodeError| CoreError::Internal(e.to_string());
        let mut key = partition_prefix(keyspace::INDEX_ENTRIES, self.id, &partition)?;
        for value in sort {
            keycode::encode_value(value, &mut key).map_err(internal)?;
        }
        for attr in table.key_schema().attributes() {
            let value = item
                .get(&attr.name)
                .ok_or_else(|| CoreError::Internal("item without its table key".into()))?;
            keycode::encode_value(value, &mut key).map_err(internal)?;
        }
        Ok(Some((key, self.project(table, item))))
    }

    /// `item` reduced to what the index projects.
    pub fn project(&self, table: &TableMeta, item: &Item) -> Item {
        match self.projection {
            ProjectionType::All => item.clone(),
            _ => item
                .iter()
                .filter(|(name, _)| self.projects(table, name))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// The key schema of an index: one or more partition-key attributes and
/// zero or more sort-key attributes, in key-schema order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexKeySchema {
    /// Partition-key attributes.
    pub partition: Vec<KeyAttribute>,
    /// Sort-key attributes.
    pub sort: Vec<KeyAttribute>,
}

impl IndexKeySchema {
    /// Every key attribute, partition keys first.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.partition.iter().chain(&self.sort)
    }

    /// Whether `name` is one of the key attributes.
    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.attributes().any(|a| a.name == name)
    }

    /// The key attributes of `item`.
    pub fn key_of(&self, item: &Item) -> Item {
        self.attributes()
            .filter_map(|k| item.get(&k.name).map(|v| (k.name.clone(), v.clone())))
            .collect()
    }

    /// The schema as a table's (one partition key, at most one sort key),
    /// when it has that shape.
    pub fn simple(&self) -> Option<KeySchema> {
        match (self.partition.as_slice(), self.sort.as_slice()) {
            ([partition], sort) if sort.len() <= 1 => Some(KeySchema {
                partition: partition.clone(),
                sort: sort.first().cloned(),
            }),
            _ => None,
        }
    }
}

/// `space | id | hash | partition values`: the prefix shared by every key
/// of one partition of a table or index. With one partition value this is
/// exactly `keycode::encode_partition_prefix`; with several, their
/// encodings follow each other and the hash covers them all.
pub(crate) fn partition_prefix(space: u8, id: u64, values: &[&AttributeValue]) -> Result<Vec<u8>> {
    let internal = |e: keycode::KeyDecodeError| CoreError::Internal(e.to_string());
    let mut encoded = Vec::with_capacity(32);
    for value in values {
        keycode::encode_value(value, &mut encoded).map_err(internal)?;
    }
    let mut key = Vec::with_capacity(17 + encoded.len() + 32);
    key.push(space);
    key.extend_from_slice(&id.to_be_bytes());
    key.extend_from_slice(&keycode::partition_hash(&encoded).to_be_bytes());
    key.extend_from_slice(&encoded);
    Ok(key)
}

/// The largest value an index key attribute may hold.
fn index_key_bytes_max(is_sort: bool) -> usize {
    if is_sort {
        INDEX_SORT_KEY_BYTES_MAX
    } else {
        INDEX_PARTITION_KEY_BYTES_MAX
    }
}

fn stored_to_key(k: &StoredKey) -> KeyAttribute {
    KeyAttribute {
        name: k.name.clone(),
        scalar_type: ScalarType::from_wire_name(&k.scalar_type).unwrap_or(ScalarType::S),
    }
}
