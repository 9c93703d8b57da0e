#![no_main]
//! Update expressions: parse, then apply; an applied update keeps the
//! item's other attributes and lists the paths it names.

use ferrodyn_expr::{Placeholders, parse_update, project};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (names, values, item) = (common::names(), common::values(), common::item());
    match parse_update(text, Placeholders::new(Some(&names), Some(&values))) {
        Ok(update) => match update.apply(&item) {
            Ok(outcome) => {
                assert_eq!(outcome.updated_paths.len(), update.actions().len());
                let _ = project(&outcome.item, &outcome.updated_paths);
                for (name, value) in &item {
                    let touched = update.target_paths().any(|p| p.top_level_name() == name);
                    if !touched {
                        assert_eq!(outcome.item.get(name), Some(value));
                    }
                }
            }
            Err(error) => common::check_error(text, &error),
        },
        Err(error) => common::check_error(text, &error),
    }
});
