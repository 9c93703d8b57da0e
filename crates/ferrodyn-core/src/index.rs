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
    /// The index's partition key.
    pub partition_key: StoredKey,
    /// The index's sort key.
    pub sort_key: Option<StoredKey>,
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
    pub fn key_schema(&self) -> KeySchema {
        KeySchema {
            partition: stored_to_key(&self.partition_key),
            sort: self.sort_key.as_ref().map(stored_to_key),
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
            _ => {
                table.key_schema().is_key_attribute(name)
                    || self.key_schema().is_key_attribute(name)
                    || self.non_key_attributes.iter().any(|a| a == name)
            }
        }
    }

    /// Checks the index key attributes of an item about to be written:
    /// present ones must have the declared type and not be empty.
    pub fn validate(&self, item: &Item) -> Result<()> {
        for attr in self.key_schema().attributes() {
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
        }
        Ok(())
    }

    /// The entry `item` maps to: its key and projected value, or `None` if
    /// the item lacks (or has an unusable value for) an index key
    /// attribute.
    pub fn entry(&self, table: &TableMeta, item: &Item) -> Result<Option<(Vec<u8>, Item)>> {
        let schema = self.key_schema();
        let usable = |attr: &KeyAttribute| {
            item.get(&attr.name).filter(|v| {
                attr.scalar_type.matches(v)
                    && !matches!(v, AttributeValue::S(s) if s.is_empty())
                    && !matches!(v, AttributeValue::B(b) if b.is_empty())
            })
        };
        let Some(partition) = usable(&schema.partition) else {
            return Ok(None);
        };
        let sort = match &schema.sort {
            Some(attr) => match usable(attr) {
                Some(v) => Some(v),
                None => return Ok(None),
            },
            None => None,
        };
        let internal = |e: keycode::KeyDecodeError| CoreError::Internal(e.to_string());
        let table_schema = table.key_schema();
        let mut key = Vec::with_capacity(64);
        key.push(keyspace::INDEX_ENTRIES);
        keycode::encode_item_key(self.id, partition, sort, &mut key).map_err(internal)?;
        for attr in table_schema.attributes() {
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

fn stored_to_key(k: &StoredKey) -> KeyAttribute {
    KeyAttribute {
        name: k.name.clone(),
        scalar_type: ScalarType::from_wire_name(&k.scalar_type).unwrap_or(ScalarType::S),
    }
}
