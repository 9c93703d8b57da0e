//! Limits whose test inputs are too long for golden files: expression
//! length, operator count, combined size, and nesting deep enough to
//! threaten the stack.

use std::collections::BTreeMap;

use ferrodyn_expr::{
    Placeholders, parse_condition, parse_filter, parse_key_condition, parse_projection,
    parse_update,
};
use ferrodyn_model::AttributeValue;
use ferrodyn_model::limits::{EXPRESSION_LENGTH_MAX, EXPRESSION_OPERATORS_MAX};

fn values(pairs: &[(&str, AttributeValue)]) -> BTreeMap<String, AttributeValue> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn message<T: std::fmt::Debug>(result: Result<T, ferrodyn_expr::ExprError>) -> String {
    match result {
        Err(e) => e.to_string(),
        Ok(parsed) => format!("unexpectedly parsed: {parsed:?}"),
    }
}

#[test]
fn expression_length_is_counted_in_utf16_units() {
    // 4096 units is allowed: a path of 4096 characters parses (and then
    // fails only for what it is, not for its length).
    let exactly = format!("a{}", "b".repeat(EXPRESSION_LENGTH_MAX - 1));
    assert!(parse_projection(&exactly, Placeholders::none()).is_ok());

    let over = format!("a{}", "b".repeat(EXPRESSION_LENGTH_MAX));
    assert_eq!(
        message(parse_projection(&over, Placeholders::none())),
        "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;"
    );
    assert_eq!(
        message(parse_update(&over, Placeholders::none())),
        "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;"
    );
    // The condition grammar reports the size.
    assert_eq!(
        message(parse_condition(&over, Placeholders::none())),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; \
         expression size: 4097"
    );
    // A character outside the BMP is two units: 2048 of them fill the limit.
    let astral = "😀".repeat(EXPRESSION_LENGTH_MAX / 2 + 1);
    assert_eq!(
        message(parse_filter(&astral, Placeholders::none())),
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; \
         expression size: 4098"
    );
}

#[test]
fn operator_count_limit() {
    let v = values(&[(":v", AttributeValue::Bool(true))]);
    let placeholders = Placeholders::new(None, Some(&v));
    // n comparisons joined by n - 1 ANDs: 2n - 1 operators.
    let chain = |n: usize| vec!["a = :v"; n].join(" AND ");
    let within = chain(EXPRESSION_OPERATORS_MAX.div_ceil(2));
    assert!(parse_condition(&within, placeholders).is_ok());
    let beyond = chain(EXPRESSION_OPERATORS_MAX.div_ceil(2) + 1);
    assert_eq!(
        message(parse_condition(&beyond, placeholders)),
        "Invalid ConditionExpression: The expression contains too many operators; operator \
         count: 301"
    );
    let nots = format!(
        "{}attribute_exists(a)",
        "NOT ".repeat(EXPRESSION_OPERATORS_MAX)
    );
    assert_eq!(
        message(parse_condition(&nots, placeholders)),
        "Invalid ConditionExpression: The expression contains too many operators; operator \
         count: 301"
    );
    let nots = format!(
        "{}attribute_exists(a)",
        "NOT ".repeat(EXPRESSION_OPERATORS_MAX - 1)
    );
    assert!(parse_condition(&nots, placeholders).is_ok());
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let v = values(&[(":v", AttributeValue::Bool(true))]);
    let placeholders = Placeholders::new(None, Some(&v));
    let depth = EXPRESSION_LENGTH_MAX / 2;
    let inputs = [
        // Redundant parentheses, found only after the innermost closes.
        format!("{}a = :v{}", "(".repeat(depth), ")".repeat(depth)),
        // Unbalanced parentheses.
        "(".repeat(EXPRESSION_LENGTH_MAX),
        // Alternating NOT and parentheses, which is not redundant.
        format!(
            "{}a = :v{}",
            "(NOT ".repeat(depth / 5),
            ")".repeat(depth / 5)
        ),
        // A long right-associated AND chain.
        vec!["a=:v"; EXPRESSION_LENGTH_MAX / 9].join(" AND "),
        // Nested function calls.
        format!(
            "{}a{} = :v",
            "size(".repeat(depth / 5),
            ")".repeat(depth / 5)
        ),
    ];
    for input in &inputs {
        let input = &input[..input.len().min(EXPRESSION_LENGTH_MAX)];
        for result in [
            parse_condition(input, placeholders).map(|_| ()),
            parse_key_condition(input, placeholders).map(|_| ()),
        ] {
            assert!(result.is_err(), "{input}");
        }
    }
    let parens = format!(
        "SET a = {}:v{}",
        "(".repeat(depth - 8),
        ")".repeat(depth - 8)
    );
    assert!(parse_update(&parens, placeholders).is_err());
    // Nested if_not_exists is legal; a hundred levels parse.
    let nested = format!(
        "SET a = {}:v{}",
        "if_not_exists(a, ".repeat(100),
        ")".repeat(100)
    );
    assert!(parse_update(&nested, placeholders).is_ok());
    // The same depth runs on a thread with half the stack of a tokio worker,
    // even in a debug build.
    let input = format!(
        "{}a = :v{}",
        "(NOT ".repeat(depth / 5),
        ")".repeat(depth / 5)
    );
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            let v = values(&[(":v", AttributeValue::Bool(true))]);
            let placeholders = Placeholders::new(None, Some(&v));
            let rejected = parse_condition(&input, placeholders).is_err();
            // Valid expressions as deep as DynamoDB allows also parse and
            // evaluate here.
            let item = BTreeMap::from([("a".to_string(), AttributeValue::Bool(true))]);
            let nested = format!("{}a = :v{}", "(NOT ".repeat(140), ")".repeat(140));
            let chain = vec!["a = :v"; 150].join(" AND ");
            let nots = format!("{}a = :v", "NOT ".repeat(298));
            let deep_ok = parse_condition(&nested, placeholders).is_ok_and(|c| c.evaluate(&item))
                && parse_condition(&chain, placeholders).is_ok_and(|c| c.evaluate(&item))
                && parse_condition(&nots, placeholders).is_ok_and(|c| c.evaluate(&item));
            rejected && deep_ok
        })
        .expect("spawn");
    assert!(handle.join().expect("no stack overflow"));
}

#[test]
fn combined_size_limit() {
    let big = AttributeValue::S("x".repeat(300 * 1024));
    let v = values(&[(":v", big)]);
    let placeholders = Placeholders::new(None, Some(&v));
    assert!(parse_condition("a IN (:v, :v, :v)", placeholders).is_ok());
    assert_eq!(
        message(parse_condition("a IN (:v, :v, :v, :v)", placeholders)),
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size;"
    );
}
