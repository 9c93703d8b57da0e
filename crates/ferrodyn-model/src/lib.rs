//! DynamoDB's data model, free of any wire format or IO.
//!
//! * [`value`]: the ten attribute types and DynamoDB's item-size rules;
//! * [`number`]: the exact 38-digit decimal behind the `N` type;
//! * [`schema`]: key schemas and the key of an item;
//! * [`keycode`]: the order-preserving binary encoding of keys;
//! * [`codec`]: the versioned binary encoding of items at rest;
//! * [`names`]: the rules for table and index names;
//! * [`limits`]: every DynamoDB limit as a named constant.

pub mod codec;
pub mod keycode;
pub mod limits;
pub mod names;
pub mod number;
pub mod schema;
pub mod value;

pub use number::Number;
pub use value::{AttributeType, AttributeValue, Item};
