#![no_main]
//! Condition (and filter) expressions: parse, then evaluate.

use ferrodyn_expr::{Placeholders, parse_condition, parse_filter};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (names, values, item) = (common::names(), common::values(), common::item());
    let placeholders = Placeholders::new(Some(&names), Some(&values));
    match parse_condition(text, placeholders) {
        Ok(condition) => {
            let _ = condition.evaluate(&item);
        }
        Err(error) => common::check_error(text, &error),
    }
    if let Err(error) = parse_filter(text, placeholders) {
        common::check_error(text, &error);
    }
});
