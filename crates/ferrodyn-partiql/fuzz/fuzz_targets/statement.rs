#![no_main]
//! A PartiQL statement: parse; if it parses, its canonical text parses to
//! the same tree, and planning it against a table keyed by `pk` and `sk`
//! (with as many string parameters as it has `?`) either fails with a
//! message or gives trees that evaluate and apply on an item without
//! panicking.

use ferrodyn_model::{AttributeValue, Item, Number};
use ferrodyn_partiql::ast::Statement;
use ferrodyn_partiql::{KeyNames, parse, parameter_count, plan};
use libfuzzer_sys::fuzz_target;

fn item() -> Item {
    let mut item = Item::new();
    item.insert("pk".into(), AttributeValue::S("a".into()));
    item.insert("sk".into(), AttributeValue::N(Number::from_i64(1)));
    item.insert("a".into(), AttributeValue::L(vec![AttributeValue::N(Number::from_i64(2))]));
    item.insert("s".into(), AttributeValue::Ss(vec!["x".into()]));
    item
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let statement = match parse(text) {
        Ok(s) => s,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return;
        }
    };
    let canonical = statement.to_string();
    assert_eq!(parse(&canonical).as_ref(), Ok(&statement), "{canonical}");
    let params: Vec<AttributeValue> = (0..parameter_count(&statement))
        .map(|i| AttributeValue::S(format!("p{i}")))
        .collect();
    let keys = KeyNames {
        partition: vec!["pk".into()],
        sort: vec!["sk".into()],
    };
    let item = item();
    match &statement {
        Statement::Select(s) | Statement::Exists(s) => {
            if let Ok(p) = plan::select(s, &keys, &params)
                && let Some(f) = p.filter
            {
                let _ = ferrodyn_expr::ConditionExpression::from_tree(f).evaluate(&item);
            }
        }
        Statement::Insert { item: value, .. } => {
            let _ = plan::insert_item(value, &keys, &params);
        }
        Statement::Update { clauses, condition, .. } => {
            let _ = plan::write_target(condition, &keys, &params);
            if let Ok(actions) = plan::update_actions(clauses, &params) {
                let _ = ferrodyn_expr::UpdateExpression::from_actions(actions).apply(&item);
            }
        }
        Statement::Delete { condition, .. } => {
            let _ = plan::write_target(condition, &keys, &params);
        }
    }
});
