#![no_main]
//! Projection expressions: parse, then project.

use ferrodyn_expr::{Placeholders, parse_projection};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let names = common::names();
    match parse_projection(text, Placeholders::new(Some(&names), None)) {
        Ok(projection) => {
            let _ = projection.apply(&common::item());
        }
        Err(error) => common::check_error(text, &error),
    }
});
