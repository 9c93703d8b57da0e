//! Key schemas: which attributes form an item's primary key, and of what type.

use crate::value::{AttributeType, AttributeValue, Item};

/// The three types a key attribute may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScalarType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
}

impl ScalarType {
    /// The wire name (`S`, `N` or `B`).
    pub fn wire_name(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }

    /// Parses a wire name.
    pub fn from_wire_name(name: &str) -> Option<ScalarType> {
        match name {
            "S" => Some(ScalarType::S),
            "N" => Some(ScalarType::N),
            "B" => Some(ScalarType::B),
            _ => None,
        }
    }

    /// The attribute type this scalar type corresponds to.
    pub fn attribute_type(self) -> AttributeType {
        match self {
            ScalarType::S => AttributeType::S,
            ScalarType::N => AttributeType::N,
            ScalarType::B => AttributeType::B,
        }
    }

    /// Whether `value` has this type.
    pub fn matches(self, value: &AttributeValue) -> bool {
        value.attribute_type() == self.attribute_type()
    }
}

/// One key attribute: its name and type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyAttribute {
    /// The attribute's name.
    pub name: String,
    /// Its declared type.
    pub scalar_type: ScalarType,
}

/// A primary key schema: a partition key and an optional sort key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeySchema {
    /// The partition (HASH) key.
    pub partition: KeyAttribute,
    /// The sort (RANGE) key, if the table has one.
    pub sort: Option<KeyAttribute>,
}

impl KeySchema {
    /// Whether `name` is one of this schema's key attributes.
    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.partition.name == name || self.sort.as_ref().is_some_and(|s| s.name == name)
    }

    /// The key attributes, partition first.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.partition).chain(self.sort.as_ref())
    }

    /// Extracts the key attributes of `item` into a new item (for change
    /// records, `Key` fields and the like). Missing attributes are skipped;
    /// callers validate keys before they get here.
    pub fn key_of(&self, item: &Item) -> Item {
        self.attributes()
            .filter_map(|k| item.get(&k.name).map(|v| (k.name.clone(), v.clone())))
            .collect()
    }
}

/// The primary key of one item, already checked against its table's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryKey {
    /// The partition key value (S, N or B).
    pub partition: AttributeValue,
    /// The sort key value, present exactly when the schema has a sort key.
    pub sort: Option<AttributeValue>,
}
