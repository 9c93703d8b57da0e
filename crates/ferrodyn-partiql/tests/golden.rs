//! The parser's golden cases (tests/golden/parse.txt): each statement and
//! the canonical text of its tree or its error, tagged with its source.
//! Every parsed tree must also survive a round trip through its canonical
//! text.

use ferrodyn_partiql::parse;

struct Case {
    line: usize,
    source: String,
    statement: String,
    expected: String,
}

fn cases() -> Vec<Case> {
    let text = include_str!("golden/parse.txt");
    let mut out = Vec::new();
    let mut source = None;
    let mut statement: Option<(usize, String)> = None;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(tag) = line.strip_prefix("# [") {
            source = Some(tag.to_owned());
        } else if line.starts_with('#') {
            continue;
        } else if line.starts_with("=> ") || line.starts_with("!! ") {
            let (at, stmt) = statement.take().expect("a statement before its result");
            out.push(Case {
                line: at,
                source: source
                    .take()
                    .unwrap_or_else(|| panic!("case at line {at} has no source tag")),
                statement: stmt,
                expected: line.to_owned(),
            });
        } else {
            assert!(
                statement.is_none(),
                "line {}: two statements in a row",
                n + 1
            );
            statement = Some((n + 1, line.to_owned()));
        }
    }
    assert!(statement.is_none(), "a statement without its result");
    out
}

#[test]
fn golden_statements_parse_as_recorded() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = match parse(&case.statement) {
            Ok(tree) => {
                let canonical = tree.to_string();
                match parse(&canonical) {
                    Ok(again) if again == tree => {}
                    other => failures.push(format!(
                        "line {}: canonical text {canonical:?} does not round-trip: {other:?}",
                        case.line
                    )),
                }
                format!("=> {canonical}")
            }
            Err(e) => format!("!! {e}"),
        };
        if got != case.expected {
            failures.push(format!(
                "line {} [{}]: {}\n  expected {}\n  got      {}",
                case.line, case.source, case.statement, case.expected, got
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
