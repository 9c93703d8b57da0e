//! What every target shares: the placeholders and item an expression is
//! checked against, and the invariants of errors.

use std::collections::BTreeMap;

use ferrodyn_expr::{ExprError, Problem};
use ferrodyn_model::{AttributeValue, Item, Number};

pub fn names() -> BTreeMap<String, String> {
    ["#a", "#b", "#s", "#0"]
        .iter()
        .zip(["a", "b", "status", "0"])
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn values() -> BTreeMap<String, AttributeValue> {
    let n = |s: &str| AttributeValue::N(Number::parse(s).expect("number"));
    BTreeMap::from([
        (":n".to_string(), n("1")),
        (":m".to_string(), n("-2.5")),
        (":s".to_string(), AttributeValue::S("S".to_string())),
        (":b".to_string(), AttributeValue::B(vec![0, 1])),
        (":l".to_string(), AttributeValue::L(vec![n("3")])),
        (":ss".to_string(), AttributeValue::Ss(vec!["x".to_string()])),
        (":ns".to_string(), AttributeValue::Ns(vec![Number::from_i64(7)])),
        (":t".to_string(), AttributeValue::Bool(true)),
    ])
}

pub fn item() -> Item {
    let n = |i: i64| AttributeValue::N(Number::from_i64(i));
    let inner: BTreeMap<String, AttributeValue> =
        BTreeMap::from([("x".to_string(), n(1)), ("l".to_string(), AttributeValue::L(vec![n(2)]))]);
    BTreeMap::from([
        ("a".to_string(), n(1)),
        ("b".to_string(), AttributeValue::S("bee".to_string())),
        ("m".to_string(), AttributeValue::M(inner)),
        ("l".to_string(), AttributeValue::L(vec![n(0), AttributeValue::Null])),
        ("ss".to_string(), AttributeValue::Ss(vec!["x".to_string(), "y".to_string()])),
    ])
}

/// Errors render to text, and a syntax error quotes the input.
pub fn check_error(text: &str, error: &ExprError) {
    assert!(!error.to_string().is_empty());
    if let ExprError::Invalid {
        problem: Problem::Syntax { near, .. },
        ..
    } = error
    {
        assert!(text.contains(near.as_str()), "{text:?} lacks {near:?}");
    }
}
