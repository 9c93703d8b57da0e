//! Golden, data-driven tests: every file under `tests/golden/` is a list of
//! cases, each an expression with its placeholders and item, and below a
//! `----` line the expected result or DynamoDB's exact error message.
//!
//! ```text
//! # A comment.
//! case SET copies an attribute
//! kind: update                 condition | filter | key_condition | projection | update
//! expr: SET b = a              the rest of the line; or a JSON string for exact whitespace
//! names: {"#a": "a"}           optional, JSON
//! values: {":v": {"S": "x"}}   optional, DynamoDB JSON
//! item: {"a": {"N": "1"}}      optional, repeatable (conditions: one result each)
//! schema: pk S sk N            key_condition only: key names and types
//! also: projection #a          more expressions of the same request
//! ----
//! item: {"a":{"N":"1"},"b":{"N":"1"}}
//! updated: [b]
//! ```
//!
//! The legacy parameters take their input as on the wire instead of `expr`:
//!
//! ```text
//! kind: expected               expected: {"a": {"ComparisonOperator": "NULL"}}
//!                              operator: OR (optional ConditionalOperator)
//! kind: attribute_updates      updates: {"a": {"Action": "ADD", "Value": {"N": "1"}}}
//! kind: attributes_to_get      attributes: ["a", "b"]
//! ```
//!
//! and give the same results as condition, update and projection cases.
//! JSON maps keep their entries in name order.
//!
//! Each case runs like a request: the placeholder maps are checked, the
//! expressions parsed in order, then the unused-placeholder check. Set
//! `UPDATE_GOLDEN=1` to rewrite the expectations from the current output,
//! then review the diff: an expectation must be what DynamoDB does, not
//! merely what ferrodyn does.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use ferrodyn_expr::{
    ConditionalOperator, ExprError, KeyPredicate, Placeholders, Usage, attribute_updates,
    attributes_to_get, check_unused, expected_condition, parse_condition, parse_filter,
    parse_key_condition, parse_projection, parse_update, validate_names, validate_values,
};
use ferrodyn_model::schema::{KeyAttribute, KeySchema, ScalarType};
use ferrodyn_model::{AttributeValue, Item};
use support::{item_text, map_from_json, value_text};

struct Case {
    name: String,
    header: Vec<(String, String)>,
    expected: Vec<String>,
}

struct File {
    /// Lines before each case (comments, blank lines), kept verbatim.
    preambles: Vec<Vec<String>>,
    cases: Vec<Case>,
    trailer: Vec<String>,
}

fn parse_file(text: &str) -> File {
    let mut file = File {
        preambles: Vec::new(),
        cases: Vec::new(),
        trailer: Vec::new(),
    };
    let mut pending: Vec<String> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(name) = line.strip_prefix("case ") else {
            pending.push(line.to_string());
            continue;
        };
        let mut header = Vec::new();
        for line in lines.by_ref() {
            if line == "----" {
                break;
            }
            let (key, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("bad header line in case {name}: {line}"));
            header.push((
                key.trim().to_string(),
                value.strip_prefix(' ').unwrap_or(value).to_string(),
            ));
        }
        let mut expected = Vec::new();
        while let Some(line) = lines.peek() {
            if line.is_empty() {
                break;
            }
            expected.push(line.to_string());
            lines.next();
        }
        file.preambles.push(std::mem::take(&mut pending));
        file.cases.push(Case {
            name: name.to_string(),
            header,
            expected,
        });
    }
    file.trailer = pending;
    file
}

fn render_file(file: &File, outputs: &[Vec<String>]) -> String {
    let mut text = String::new();
    for ((preamble, case), output) in file.preambles.iter().zip(&file.cases).zip(outputs) {
        for line in preamble {
            let _ = writeln!(text, "{line}");
        }
        let _ = writeln!(text, "case {}", case.name);
        for (key, value) in &case.header {
            let _ = writeln!(text, "{key}: {value}");
        }
        let _ = writeln!(text, "----");
        for line in output {
            let _ = writeln!(text, "{line}");
        }
    }
    for line in &file.trailer {
        let _ = writeln!(text, "{line}");
    }
    text
}

/// An expression text from a header value: JSON string syntax when quoted.
fn expression_text(raw: &str) -> String {
    if raw.starts_with('"') {
        serde_json::from_str(raw).expect("quoted expression")
    } else {
        raw.to_string()
    }
}

fn schema(text: &str) -> KeySchema {
    let words: Vec<&str> = text.split_whitespace().collect();
    let attribute = |name: &str, t: &str| KeyAttribute {
        name: name.to_string(),
        scalar_type: ScalarType::from_wire_name(t).expect("key type"),
    };
    match words[..] {
        [p, pt] => KeySchema {
            partition: attribute(p, pt),
            sort: None,
        },
        [p, pt, s, st] => KeySchema {
            partition: attribute(p, pt),
            sort: Some(attribute(s, st)),
        },
        _ => panic!("schema: {text}"),
    }
}

fn predicate_text(predicate: &KeyPredicate) -> String {
    match predicate {
        KeyPredicate::Eq(v) => format!("= {}", value_text(v)),
        KeyPredicate::Lt(v) => format!("< {}", value_text(v)),
        KeyPredicate::Le(v) => format!("<= {}", value_text(v)),
        KeyPredicate::Gt(v) => format!("> {}", value_text(v)),
        KeyPredicate::Ge(v) => format!(">= {}", value_text(v)),
        KeyPredicate::Between(a, b) => {
            format!("BETWEEN {} AND {}", value_text(a), value_text(b))
        }
        KeyPredicate::BeginsWith(v) => format!("begins_with {}", value_text(v)),
    }
}

/// Runs one case and renders its result lines.
fn run(case: &Case) -> Vec<String> {
    let get = |key: &str| {
        case.header
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let names: Option<BTreeMap<String, String>> =
        get("names").map(|text| serde_json::from_str(text).expect("names JSON"));
    let values: Option<BTreeMap<String, AttributeValue>> = get("values").map(|text| {
        map_from_json(&serde_json::from_str(text).expect("values JSON")).expect("values")
    });
    let items: Vec<Item> = {
        let listed: Vec<Item> = case
            .header
            .iter()
            .filter(|(k, _)| k == "item")
            .map(|(_, v)| support::item(v))
            .collect();
        if listed.is_empty() {
            vec![Item::new()]
        } else {
            listed
        }
    };
    let kind = get("kind").unwrap_or_else(|| panic!("case {} has no kind", case.name));
    if let Some(output) = run_legacy(case, kind, &items) {
        return output;
    }
    let expr =
        expression_text(get("expr").unwrap_or_else(|| panic!("case {} has no expr", case.name)));

    let placeholders = Placeholders::new(
        names.as_ref().map(|m| m as &dyn ferrodyn_expr::NameMap),
        values.as_ref().map(|m| m as &dyn ferrodyn_expr::ValueMap),
    );
    let error = |e: ExprError| vec![format!("error: {e}")];

    if let Some(names) = &names
        && let Err(e) = validate_names(names.keys().map(String::as_str))
    {
        return error(e);
    }
    if let Some(values) = &values
        && let Err(e) = validate_values(values.keys().map(String::as_str))
    {
        return error(e);
    }

    let mut output = Vec::new();
    let usage: Usage = match kind {
        "condition" | "filter" => {
            let parsed = if kind == "condition" {
                parse_condition(&expr, placeholders)
            } else {
                parse_filter(&expr, placeholders)
            };
            match parsed {
                Ok(parsed) => {
                    let results: Vec<&str> = items
                        .iter()
                        .map(|item| {
                            if parsed.evaluate(item) {
                                "true"
                            } else {
                                "false"
                            }
                        })
                        .collect();
                    output.push(format!("result: {}", results.join(" ")));
                    parsed.usage().clone()
                }
                Err(e) => return error(e),
            }
        }
        "key_condition" => match parse_key_condition(&expr, placeholders) {
            Ok(parsed) => {
                match get("schema") {
                    Some(text) => match parsed.bind(&schema(text)) {
                        Ok(bound) => {
                            output.push(format!(
                                "partition: {} = {}",
                                bound.partition.0,
                                value_text(&bound.partition.1)
                            ));
                            output.push(match &bound.sort {
                                Some(sort) => {
                                    format!(
                                        "sort: {} {}",
                                        sort.name,
                                        predicate_text(&sort.predicate)
                                    )
                                }
                                None => "sort: none".to_string(),
                            });
                        }
                        Err(e) => return error(e),
                    },
                    None => {
                        for (name, predicate) in parsed.terms() {
                            output.push(format!("term: {name} {}", predicate_text(predicate)));
                        }
                    }
                }
                parsed.usage().clone()
            }
            Err(e) => return error(e),
        },
        "projection" => match parse_projection(&expr, placeholders) {
            Ok(parsed) => {
                for item in &items {
                    output.push(format!("item: {}", item_text(&parsed.apply(item))));
                }
                parsed.usage().clone()
            }
            Err(e) => return error(e),
        },
        "update" => match parse_update(&expr, placeholders) {
            Ok(parsed) => {
                for item in &items {
                    match parsed.apply(item) {
                        Ok(outcome) => {
                            output.push(format!("item: {}", item_text(&outcome.item)));
                            let paths: Vec<String> = outcome
                                .updated_paths
                                .iter()
                                .map(ToString::to_string)
                                .collect();
                            output.push(format!("updated: {}", paths.join(", ")));
                        }
                        Err(e) => output.push(format!("error: {e}")),
                    }
                }
                parsed.usage().clone()
            }
            Err(e) => return error(e),
        },
        other => panic!("case {}: unknown kind {other}", case.name),
    };

    // Further expressions of the same request, for the unused check.
    let mut usages = vec![usage];
    for (_, also) in case.header.iter().filter(|(k, _)| k == "also") {
        let (kind, text) = also.split_once(' ').expect("also: <kind> <expression>");
        let text = expression_text(text);
        let parsed = match kind {
            "condition" => parse_condition(&text, placeholders).map(|p| p.usage().clone()),
            "filter" => parse_filter(&text, placeholders).map(|p| p.usage().clone()),
            "key_condition" => parse_key_condition(&text, placeholders).map(|p| p.usage().clone()),
            "projection" => parse_projection(&text, placeholders).map(|p| p.usage().clone()),
            "update" => parse_update(&text, placeholders).map(|p| p.usage().clone()),
            other => panic!("also: unknown kind {other}"),
        };
        match parsed {
            Ok(usage) => usages.push(usage),
            Err(e) => return error(e),
        }
    }
    let usage_refs: Vec<&Usage> = usages.iter().collect();
    if let Err(e) = check_unused(
        names.iter().flat_map(|m| m.keys().map(String::as_str)),
        values.iter().flat_map(|m| m.keys().map(String::as_str)),
        &usage_refs,
    ) {
        return error(e);
    }
    output
}

/// Runs a case of one of the legacy kinds; `None` for the other kinds.
fn run_legacy(case: &Case, kind: &str, items: &[Item]) -> Option<Vec<String>> {
    let get = |key: &str| {
        case.header
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("case {} has no {key}", case.name))
    };
    let json = |key: &str| -> serde_json::Value {
        serde_json::from_str(get(key)).unwrap_or_else(|e| panic!("case {}: {key}: {e}", case.name))
    };
    let error = |e: ExprError| vec![format!("error: {e}")];
    let output = match kind {
        "expected" => {
            let expected = support::expected_from_json(&json("expected")).expect("expected");
            let operator = case
                .header
                .iter()
                .find(|(k, _)| k == "operator")
                .map(|(_, v)| ConditionalOperator::from_wire_name(v).expect("ConditionalOperator"));
            match expected_condition(&expected, operator) {
                Ok(Some(parsed)) => {
                    let results: Vec<&str> = items
                        .iter()
                        .map(|item| {
                            if parsed.evaluate(item) {
                                "true"
                            } else {
                                "false"
                            }
                        })
                        .collect();
                    vec![format!("result: {}", results.join(" "))]
                }
                Ok(None) => vec!["result: no condition".to_string()],
                Err(e) => error(e),
            }
        }
        "attribute_updates" => {
            let updates = support::updates_from_json(&json("updates")).expect("updates");
            match attribute_updates(&updates) {
                Ok(parsed) => {
                    let mut output = Vec::new();
                    for item in items {
                        match parsed.apply(item) {
                            Ok(outcome) => {
                                output.push(format!("item: {}", item_text(&outcome.item)));
                                let paths: Vec<String> = outcome
                                    .updated_paths
                                    .iter()
                                    .map(ToString::to_string)
                                    .collect();
                                output.push(format!("updated: {}", paths.join(", ")));
                            }
                            Err(e) => output.push(format!("error: {e}")),
                        }
                    }
                    output
                }
                Err(e) => error(e),
            }
        }
        "attributes_to_get" => {
            let names: Vec<String> = serde_json::from_value(json("attributes")).expect("names");
            match attributes_to_get(&names) {
                Ok(parsed) => items
                    .iter()
                    .map(|item| format!("item: {}", item_text(&parsed.apply(item))))
                    .collect(),
                Err(e) => error(e),
            }
        }
        _ => return None,
    };
    Some(output)
}

fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
}

#[test]
fn golden() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let mut count = 0;
    for path in golden_files() {
        let text = std::fs::read_to_string(&path).expect("read golden file");
        let file = parse_file(&text);
        let outputs: Vec<Vec<String>> = file.cases.iter().map(run).collect();
        for (case, output) in file.cases.iter().zip(&outputs) {
            count += 1;
            if &case.expected != output {
                failures.push(format!(
                    "{}: case {}\n  expected:\n    {}\n  actual:\n    {}",
                    path.file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    case.name,
                    case.expected.join("\n    "),
                    output.join("\n    ")
                ));
            }
        }
        if update {
            let rendered = render_file(&file, &outputs);
            if rendered != text {
                std::fs::write(&path, rendered).expect("write golden file");
            }
        }
    }
    assert!(count > 0, "no golden cases found");
    if !update && !failures.is_empty() {
        panic!(
            "{} of {count} golden cases differ (UPDATE_GOLDEN=1 rewrites them):\n\n{}",
            failures.len(),
            failures.join("\n\n")
        );
    }
    eprintln!("{count} golden cases checked");
}
