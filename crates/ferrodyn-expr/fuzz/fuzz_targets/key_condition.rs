#![no_main]
//! Key conditions: parse, then bind to two key schemas.

use ferrodyn_expr::{Placeholders, parse_key_condition};
use ferrodyn_model::schema::{KeyAttribute, KeySchema, ScalarType};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (names, values) = (common::names(), common::values());
    let placeholders = Placeholders::new(Some(&names), Some(&values));
    match parse_key_condition(text, placeholders) {
        Ok(parsed) => {
            let key = |name: &str, scalar_type| KeyAttribute {
                name: name.to_string(),
                scalar_type,
            };
            for schema in [
                KeySchema { partition: key("a", ScalarType::N), sort: None },
                KeySchema { partition: key("a", ScalarType::S), sort: Some(key("b", ScalarType::S)) },
            ] {
                match parsed.bind(&schema) {
                    Ok(bound) => {
                        if let Some(sort) = bound.sort {
                            let _ = sort.predicate.matches(&bound.partition.1);
                        }
                    }
                    Err(error) => common::check_error(text, &error),
                }
            }
        }
        Err(error) => common::check_error(text, &error),
    }
});
