//! DynamoDB's ten attribute types.
//!
//! An [`AttributeValue`] here is always *valid*: the wire layer builds it only
//! after checking DynamoDB's rules (sets non-empty and free of duplicates,
//! numbers in range, nesting at most [`DOCUMENT_NESTING_DEPTH_MAX`]). Code
//! that builds values itself (update expressions, for example) must keep
//! those rules: no empty set, no duplicate set element.
//!
//! [`DOCUMENT_NESTING_DEPTH_MAX`]: crate::limits::DOCUMENT_NESTING_DEPTH_MAX

use std::collections::BTreeMap;

use crate::number::Number;

/// An item: attribute names mapped to values. A `BTreeMap` keeps output
/// deterministic, which golden tests rely on; DynamoDB itself promises no
/// order.
pub type Item = BTreeMap<String, AttributeValue>;

/// One attribute value of any of DynamoDB's ten types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttributeValue {
    /// A UTF-8 string.
    S(String),
    /// An exact decimal number.
    N(Number),
    /// Binary data.
    B(Vec<u8>),
    /// A boolean.
    Bool(bool),
    /// The null value (always `true` on the wire).
    Null,
    /// A map of named values.
    M(BTreeMap<String, AttributeValue>),
    /// An ordered list of values.
    L(Vec<AttributeValue>),
    /// A string set, in the order the client sent it.
    Ss(Vec<String>),
    /// A number set.
    Ns(Vec<Number>),
    /// A binary set.
    Bs(Vec<Vec<u8>>),
}

/// The type of an attribute value, named as on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttributeType {
    /// String.
    S,
    /// Number.
    N,
    /// Binary.
    B,
    /// Boolean.
    Bool,
    /// Null.
    Null,
    /// Map.
    M,
    /// List.
    L,
    /// String set.
    Ss,
    /// Number set.
    Ns,
    /// Binary set.
    Bs,
}

impl AttributeType {
    /// The type's name as DynamoDB writes it (`S`, `BOOL`, `SS`, ...).
    pub fn wire_name(self) -> &'static str {
        match self {
            AttributeType::S => "S",
            AttributeType::N => "N",
            AttributeType::B => "B",
            AttributeType::Bool => "BOOL",
            AttributeType::Null => "NULL",
            AttributeType::M => "M",
            AttributeType::L => "L",
            AttributeType::Ss => "SS",
            AttributeType::Ns => "NS",
            AttributeType::Bs => "BS",
        }
    }

    /// Parses a wire type name.
    pub fn from_wire_name(name: &str) -> Option<AttributeType> {
        Some(match name {
            "S" => AttributeType::S,
            "N" => AttributeType::N,
            "B" => AttributeType::B,
            "BOOL" => AttributeType::Bool,
            "NULL" => AttributeType::Null,
            "M" => AttributeType::M,
            "L" => AttributeType::L,
            "SS" => AttributeType::Ss,
            "NS" => AttributeType::Ns,
            "BS" => AttributeType::Bs,
            _ => return None,
        })
    }
}

/// Whether two sets hold the same members, whatever their order (the
/// members of each are distinct, as sets are validated).
fn same_members<T: Ord>(a: &[T], b: &[T]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut a: Vec<&T> = a.iter().collect();
    let mut b: Vec<&T> = b.iter().collect();
    a.sort();
    b.sort();
    a == b
}

/// Whether two items hold the same values, as DynamoDB compares them: sets
/// are equal whatever the order of their members, at any depth (`==`
/// compares sets in the order the client sent them).
pub fn same_item(
    a: &BTreeMap<String, AttributeValue>,
    b: &BTreeMap<String, AttributeValue>,
) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && va.same_value(vb))
}

impl AttributeValue {
    /// Whether `self` and `other` are the same value, as DynamoDB compares
    /// them (see [`same_item`]).
    pub fn same_value(&self, other: &AttributeValue) -> bool {
        match (self, other) {
            (AttributeValue::Ss(a), AttributeValue::Ss(b)) => same_members(a, b),
            (AttributeValue::Ns(a), AttributeValue::Ns(b)) => same_members(a, b),
            (AttributeValue::Bs(a), AttributeValue::Bs(b)) => same_members(a, b),
            (AttributeValue::M(a), AttributeValue::M(b)) => same_item(a, b),
            (AttributeValue::L(a), AttributeValue::L(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_value(y))
            }
            (a, b) => a == b,
        }
    }

    /// This value's type.
    pub fn attribute_type(&self) -> AttributeType {
        match self {
            AttributeValue::S(_) => AttributeType::S,
            AttributeValue::N(_) => AttributeType::N,
            AttributeValue::B(_) => AttributeType::B,
            AttributeValue::Bool(_) => AttributeType::Bool,
            AttributeValue::Null => AttributeType::Null,
            AttributeValue::M(_) => AttributeType::M,
            AttributeValue::L(_) => AttributeType::L,
            AttributeValue::Ss(_) => AttributeType::Ss,
            AttributeValue::Ns(_) => AttributeType::Ns,
            AttributeValue::Bs(_) => AttributeType::Bs,
        }
    }

    /// The size DynamoDB charges for this value, not counting its name.
    ///
    /// The rules, from the DynamoDB developer guide ("Item sizes and
    /// formats"): strings and binaries count their bytes; a number counts
    /// about one byte per two significant digits plus one (the exact rule,
    /// measured on AWS, is [`Number::size_bytes`]); booleans and nulls
    /// count one byte; a list or map counts three bytes plus one byte per
    /// element, plus its elements (and, for a map, each key's bytes); a set
    /// counts the sum of its members.
    pub fn size_bytes(&self) -> usize {
        match self {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.size_bytes(),
            AttributeValue::B(b) => b.len(),
            AttributeValue::Bool(_) | AttributeValue::Null => 1,
            AttributeValue::M(m) => {
                3 + m
                    .iter()
                    .map(|(k, v)| 1 + k.len() + v.size_bytes())
                    .sum::<usize>()
            }
            AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + v.size_bytes()).sum::<usize>(),
            AttributeValue::Ss(s) => s.iter().map(String::len).sum(),
            AttributeValue::Ns(s) => s.iter().map(Number::size_bytes).sum(),
            AttributeValue::Bs(s) => s.iter().map(Vec::len).sum(),
        }
    }

    /// How deeply lists and maps nest inside this value: 0 for a scalar or
    /// set, 1 for a list or map of scalars.
    pub fn nesting_depth(&self) -> usize {
        match self {
            AttributeValue::M(m) => 1 + m.values().map(Self::nesting_depth).max().unwrap_or(0),
            AttributeValue::L(l) => 1 + l.iter().map(Self::nesting_depth).max().unwrap_or(0),
            _ => 0,
        }
    }
}

/// The size DynamoDB charges for a whole item: each attribute's name bytes
/// plus its value's size.
pub fn item_size_bytes(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + v.size_bytes()).sum()
}
