//! The parser never panics, whatever the text: arbitrary strings, and
//! statements built from the dialect's own tokens (which reach deeper into
//! the grammar than random text does).

use ferrodyn_partiql::parse;
use proptest::prelude::*;

const TOKENS: &[&str] = &[
    "SELECT",
    "*",
    "FROM",
    "\"T\"",
    "t",
    "WHERE",
    "a",
    "b.c",
    "[1]",
    "=",
    "<>",
    "<",
    ">=",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "<<",
    ">>",
    ",",
    ":",
    "'s'",
    "1",
    "-2.5e3",
    "?",
    "IN",
    "BETWEEN",
    "IS",
    "MISSING",
    "NULL",
    "TRUE",
    "begins_with",
    "size",
    "set_add",
    "set_delete",
    "[-1]",
    "INSERT",
    "INTO",
    "VALUE",
    "UPDATE",
    "SET",
    "REMOVE",
    "DELETE",
    "RETURNING",
    "ALL",
    "OLD",
    "NEW",
    "MODIFIED",
    "ORDER",
    "BY",
    "DESC",
    "EXISTS",
    ";",
    ".",
    "+",
    "-",
    "--",
    "/*",
    "*/",
    "\"",
    "'",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse(&text);
    }

    #[test]
    fn token_soup_never_panics(picks in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
        let text: Vec<&str> = picks.iter().map(|&i| TOKENS[i]).collect();
        let text = text.join(" ");
        if let Ok(tree) = parse(&text) {
            // Whatever parses has a canonical text that parses to it again.
            let canonical = tree.to_string();
            prop_assert_eq!(parse(&canonical), Ok(tree), "{}", canonical);
        }
    }
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    for open in ["(", "[", "{'a': ", "NOT "] {
        let text = format!("SELECT * FROM t WHERE a = {}", open.repeat(100_000));
        assert!(parse(&text).is_err(), "{open}");
    }
}
