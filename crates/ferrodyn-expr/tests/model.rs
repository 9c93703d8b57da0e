//! Property tests: random items and random update expressions (SET, REMOVE,
//! ADD), checked against a reference model written independently here.
//!
//! The crate applies an update by walking a tree of the target paths down
//! the old item. The model instead edits a copy of the item in place, in an
//! order that keeps old list indexes meaningful: first every change that
//! keeps list lengths (replacing elements, writing map keys), then the
//! changes that shift lists, deepest first, removals from the back before
//! appends in index order. If the two disagree, one of them misreads
//! DynamoDB's rules.
//!
//! A second property feeds the parsers random token soup: they must never
//! panic, and a syntax error must quote text that is in the input.

mod support;

use std::collections::BTreeMap;

use ferrodyn_expr::{
    DocumentPath, ExprError, PathElement, Placeholders, Problem, parse_condition, parse_projection,
    parse_update,
};
use ferrodyn_model::{AttributeValue, Item, Number};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// Generators.

const TOP: [&str; 4] = ["a", "b", "c", "d"];
const KEYS: [&str; 3] = ["x", "y", "z"];

fn number(n: i64) -> AttributeValue {
    AttributeValue::N(Number::from_i64(n))
}

fn leaf_value() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        (-5i64..5).prop_map(number),
        "[a-c]{0,2}".prop_map(AttributeValue::S),
        prop::collection::btree_set(-3i64..3, 1..3)
            .prop_map(|s| AttributeValue::Ns(s.into_iter().map(Number::from_i64).collect())),
        Just(AttributeValue::Bool(true)),
    ]
}

fn value() -> impl Strategy<Value = AttributeValue> {
    leaf_value().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            prop::collection::btree_map(prop::sample::select(&KEYS[..]), inner, 0..3).prop_map(
                |m| AttributeValue::M(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            ),
        ]
    })
}

fn item() -> impl Strategy<Value = Item> {
    prop::collection::btree_map(prop::sample::select(&TOP[..]), value(), 0..4)
        .prop_map(|m| m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn path() -> impl Strategy<Value = DocumentPath> {
    let element = prop_oneof![
        prop::sample::select(&KEYS[..]).prop_map(|k| PathElement::Key(k.to_string())),
        (0usize..5).prop_map(PathElement::Index),
    ];
    (
        prop::sample::select(&TOP[..]),
        prop::collection::vec(element, 0..3),
    )
        .prop_map(|(top, rest)| {
            let mut elements = vec![PathElement::Key(top.to_string())];
            elements.extend(rest);
            DocumentPath::new(elements)
        })
}

/// Paths worth updating in `item`: every value in it, a fresh key in each
/// map, the end of each list, and every top-level name. Choosing among them
/// makes most updates applicable, while random paths (see `path`) exercise
/// the errors.
fn candidates(item: &Item) -> Vec<DocumentPath> {
    fn walk(prefix: Vec<PathElement>, value: &AttributeValue, out: &mut Vec<DocumentPath>) {
        out.push(DocumentPath::new(prefix.clone()));
        if prefix.len() >= 4 {
            return;
        }
        let child = |element: PathElement| {
            let mut path = prefix.clone();
            path.push(element);
            path
        };
        match value {
            AttributeValue::M(map) => {
                for (key, v) in map {
                    walk(child(PathElement::Key(key.clone())), v, out);
                }
                out.push(DocumentPath::new(child(PathElement::Key(
                    "new".to_string(),
                ))));
            }
            AttributeValue::L(list) => {
                for (index, v) in list.iter().enumerate() {
                    walk(child(PathElement::Index(index)), v, out);
                }
                // Two positions past the end, so that appends meet.
                out.push(DocumentPath::new(child(PathElement::Index(list.len() + 1))));
                out.push(DocumentPath::new(child(PathElement::Index(list.len() + 3))));
            }
            _ => {}
        }
    }
    let mut out: Vec<DocumentPath> = TOP.iter().map(|t| DocumentPath::attribute(*t)).collect();
    for (name, value) in item {
        walk(vec![PathElement::Key(name.clone())], value, &mut out);
    }
    out
}

fn case() -> impl Strategy<Value = (Item, Vec<Action>)> {
    item().prop_flat_map(|item| {
        let paths = candidates(&item);
        let known = prop::sample::select(paths);
        let any_path = prop_oneof![3 => known, 1 => path()];
        (
            Just(item),
            prop::collection::vec(action_on(any_path.boxed()), 1..5),
        )
    })
}

/// A SET value: a constant, a copy, arithmetic, if_not_exists or
/// list_append.
#[derive(Clone, Debug)]
enum Source {
    Constant(AttributeValue),
    Copy(DocumentPath),
    Plus(DocumentPath, i64),
    IfNotExists(DocumentPath, AttributeValue),
    Append(DocumentPath, Vec<AttributeValue>),
}

#[derive(Clone, Debug)]
enum Action {
    Set(DocumentPath, Source),
    Remove(DocumentPath),
    Add(DocumentPath, AttributeValue),
}

impl Action {
    fn path(&self) -> &DocumentPath {
        match self {
            Action::Set(p, _) | Action::Remove(p) | Action::Add(p, _) => p,
        }
    }
}

fn action_on(path: BoxedStrategy<DocumentPath>) -> impl Strategy<Value = Action> {
    let source = prop_oneof![
        value().prop_map(Source::Constant),
        path.clone().prop_map(Source::Copy),
        (path.clone(), -3i64..3).prop_map(|(p, n)| Source::Plus(p, n)),
        (path.clone(), value()).prop_map(|(p, v)| Source::IfNotExists(p, v)),
        (path.clone(), prop::collection::vec(leaf_value(), 0..3))
            .prop_map(|(p, l)| Source::Append(p, l)),
    ];
    let addend = prop_oneof![
        (-3i64..3).prop_map(number),
        prop::collection::btree_set(-3i64..3, 1..3)
            .prop_map(|s| AttributeValue::Ns(s.into_iter().map(Number::from_i64).collect())),
    ];
    prop_oneof![
        3 => (path.clone(), source).prop_map(|(p, s)| Action::Set(p, s)),
        1 => path.clone().prop_map(Action::Remove),
        1 => (path, addend).prop_map(|(p, v)| Action::Add(p, v)),
    ]
}

// ---------------------------------------------------------------------------
// Rendering an expression.

/// Writes a path with every name as a placeholder (`#n0`...), so that
/// reserved words never matter.
fn render_path(path: &DocumentPath, names: &mut BTreeMap<String, String>) -> String {
    let mut text = String::new();
    for (i, element) in path.elements().iter().enumerate() {
        match element {
            PathElement::Key(key) => {
                let placeholder = format!("#{key}");
                names.insert(placeholder.clone(), key.clone());
                if i > 0 {
                    text.push('.');
                }
                text.push_str(&placeholder);
            }
            PathElement::Index(index) => text.push_str(&format!("[{index}]")),
        }
    }
    text
}

struct Rendered {
    text: String,
    names: BTreeMap<String, String>,
    values: BTreeMap<String, AttributeValue>,
}

fn render(actions: &[Action]) -> Rendered {
    let mut names = BTreeMap::new();
    let mut values = BTreeMap::new();
    let value = |v: AttributeValue, values: &mut BTreeMap<String, AttributeValue>| {
        let key = format!(":v{}", values.len());
        values.insert(key.clone(), v);
        key
    };
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    let mut adds = Vec::new();
    for action in actions {
        match action {
            Action::Set(path, source) => {
                let target = render_path(path, &mut names);
                let rhs = match source {
                    Source::Constant(v) => value(v.clone(), &mut values),
                    Source::Copy(p) => render_path(p, &mut names),
                    Source::Plus(p, n) => {
                        let p = render_path(p, &mut names);
                        format!("{p} + {}", value(number(*n), &mut values))
                    }
                    Source::IfNotExists(p, v) => {
                        let p = render_path(p, &mut names);
                        format!("if_not_exists({p}, {})", value(v.clone(), &mut values))
                    }
                    Source::Append(p, l) => {
                        let p = render_path(p, &mut names);
                        let l = value(AttributeValue::L(l.clone()), &mut values);
                        format!("list_append({p}, {l})")
                    }
                };
                sets.push(format!("{target} = {rhs}"));
            }
            Action::Remove(path) => removes.push(render_path(path, &mut names)),
            Action::Add(path, v) => {
                let target = render_path(path, &mut names);
                adds.push(format!("{target} {}", value(v.clone(), &mut values)));
            }
        }
    }
    let mut clauses = Vec::new();
    if !sets.is_empty() {
        clauses.push(format!("SET {}", sets.join(", ")));
    }
    if !removes.is_empty() {
        clauses.push(format!("REMOVE {}", removes.join(", ")));
    }
    if !adds.is_empty() {
        clauses.push(format!("ADD {}", adds.join(", ")));
    }
    Rendered {
        text: clauses.join(" "),
        names,
        values,
    }
}

/// The actions in the order the rendered expression lists them.
fn clause_order(actions: &[Action]) -> Vec<Action> {
    let mut ordered: Vec<Action> = actions
        .iter()
        .filter(|a| matches!(a, Action::Set(..)))
        .cloned()
        .collect();
    ordered.extend(
        actions
            .iter()
            .filter(|a| matches!(a, Action::Remove(_)))
            .cloned(),
    );
    ordered.extend(
        actions
            .iter()
            .filter(|a| matches!(a, Action::Add(..)))
            .cloned(),
    );
    ordered
}

// ---------------------------------------------------------------------------
// The reference model.

/// Whether two paths overlap (one is a prefix of the other) or conflict (at
/// the first difference one has a key and the other an index).
fn clash(a: &DocumentPath, b: &DocumentPath) -> bool {
    for (x, y) in a.elements().iter().zip(b.elements()) {
        if x == y {
            continue;
        }
        return matches!(
            (x, y),
            (PathElement::Key(_), PathElement::Index(_))
                | (PathElement::Index(_), PathElement::Key(_))
        );
    }
    true
}

#[derive(Debug, PartialEq)]
enum ModelError {
    /// Any of DynamoDB's run-time update errors; which one comes first
    /// depends on an evaluation order the model does not reproduce.
    Runtime,
}

fn get<'a>(item: &'a Item, path: &DocumentPath) -> Option<&'a AttributeValue> {
    path.resolve(item)
}

fn model_eval(source: &Source, old: &Item) -> Result<AttributeValue, ModelError> {
    match source {
        Source::Constant(v) => Ok(v.clone()),
        Source::Copy(p) => get(old, p).cloned().ok_or(ModelError::Runtime),
        Source::Plus(p, n) => match get(old, p) {
            Some(AttributeValue::N(x)) => x
                .checked_add(&Number::from_i64(*n))
                .map(AttributeValue::N)
                .map_err(|_| ModelError::Runtime),
            _ => Err(ModelError::Runtime),
        },
        Source::IfNotExists(p, v) => Ok(get(old, p).cloned().unwrap_or_else(|| v.clone())),
        Source::Append(p, l) => match get(old, p) {
            Some(AttributeValue::L(x)) => {
                let mut out = x.clone();
                out.extend(l.iter().cloned());
                Ok(AttributeValue::L(out))
            }
            _ => Err(ModelError::Runtime),
        },
    }
}

/// The container at `parent` in `doc` (the item itself for a top-level
/// path), navigated with old indexes: callers only use it before any change
/// that shifts the lists on the way.
enum Slot<'a> {
    Map(&'a mut BTreeMap<String, AttributeValue>),
    List(&'a mut Vec<AttributeValue>),
}

fn container<'a>(doc: &'a mut Item, parent: &[PathElement]) -> Result<Slot<'a>, ModelError> {
    let Some((first, rest)) = parent.split_first() else {
        return Ok(Slot::Map(doc));
    };
    let PathElement::Key(key) = first else {
        return Err(ModelError::Runtime);
    };
    let mut current = doc.get_mut(key).ok_or(ModelError::Runtime)?;
    for element in rest {
        current = match (current, element) {
            (AttributeValue::M(m), PathElement::Key(k)) => {
                m.get_mut(k).ok_or(ModelError::Runtime)?
            }
            (AttributeValue::L(l), PathElement::Index(i)) => {
                l.get_mut(*i).ok_or(ModelError::Runtime)?
            }
            _ => return Err(ModelError::Runtime),
        };
    }
    match current {
        AttributeValue::M(m) => Ok(Slot::Map(m)),
        AttributeValue::L(l) => Ok(Slot::List(l)),
        _ => Err(ModelError::Runtime),
    }
}

/// What an action makes of the old value at its target: a new value, or
/// nothing (removal).
fn model_result(
    action: &Action,
    old_target: Option<&AttributeValue>,
    old: &Item,
) -> Result<Option<AttributeValue>, ModelError> {
    match action {
        Action::Set(_, source) => model_eval(source, old).map(Some),
        Action::Remove(_) => Ok(None),
        Action::Add(_, addend) => match (old_target, addend) {
            (None, v) => Ok(Some(v.clone())),
            (Some(AttributeValue::N(x)), AttributeValue::N(y)) => x
                .checked_add(y)
                .map(|n| Some(AttributeValue::N(n)))
                .map_err(|_| ModelError::Runtime),
            (Some(AttributeValue::Ns(x)), AttributeValue::Ns(y)) => {
                let mut out = x.clone();
                for n in y {
                    if !out.contains(n) {
                        out.push(n.clone());
                    }
                }
                Ok(Some(AttributeValue::Ns(out)))
            }
            _ => Err(ModelError::Runtime),
        },
    }
}

fn model_apply(actions: &[Action], old: &Item) -> Result<Item, ModelError> {
    // Every action's result is computed against the old item first.
    let mut results = Vec::new();
    for action in actions {
        let path = action.path();
        let elements = path.elements();
        // The parent must exist and be a container of the right kind.
        let mut scratch = old.clone();
        let parent = container(&mut scratch, &elements[..elements.len() - 1])?;
        let parent_ok = matches!(
            (parent, elements.last()),
            (Slot::Map(_), Some(PathElement::Key(_)))
                | (Slot::List(_), Some(PathElement::Index(_)))
        );
        if !parent_ok {
            return Err(ModelError::Runtime);
        }
        results.push(model_result(action, get(old, path), old)?);
    }

    let mut doc = old.clone();
    // Phase 1: changes that keep list lengths.
    let mut shifting = Vec::new();
    for (action, result) in actions.iter().zip(results) {
        let elements = action.path().elements();
        let (last, parent) = elements.split_last().ok_or(ModelError::Runtime)?;
        match (container(&mut doc, parent)?, last, result) {
            (Slot::Map(m), PathElement::Key(k), Some(v)) => {
                m.insert(k.clone(), v);
            }
            (Slot::Map(m), PathElement::Key(k), None) => {
                m.remove(k);
            }
            (Slot::List(l), PathElement::Index(i), Some(v)) if *i < l.len() => l[*i] = v,
            (Slot::List(_), PathElement::Index(i), result) => {
                shifting.push((parent.to_vec(), *i, result));
            }
            _ => return Err(ModelError::Runtime),
        }
    }
    // Phase 2: removals and appends, deepest lists first; per list,
    // removals from the back, then appends in index order.
    shifting.sort_by(|(pa, ia, ra), (pb, ib, rb)| {
        pb.len()
            .cmp(&pa.len())
            .then_with(|| pa.cmp(pb))
            .then_with(|| ra.is_some().cmp(&rb.is_some()))
            .then_with(|| if ra.is_none() { ib.cmp(ia) } else { ia.cmp(ib) })
    });
    for (parent, index, result) in shifting {
        let Slot::List(list) = container(&mut doc, &parent)? else {
            return Err(ModelError::Runtime);
        };
        match result {
            None if index < list.len() => {
                list.remove(index);
            }
            None => {}
            Some(v) => list.push(v),
        }
    }
    Ok(doc)
}

// ---------------------------------------------------------------------------
// Properties.

proptest! {
    #![proptest_config(ProptestConfig { cases: 5000, ..ProptestConfig::default() })]

    #[test]
    fn updates_match_the_model((item, actions) in case()) {
        let rendered = render(&actions);
        let placeholders = Placeholders::new(
            (!rendered.names.is_empty()).then_some(&rendered.names as &dyn ferrodyn_expr::NameMap),
            (!rendered.values.is_empty()).then_some(&rendered.values as &dyn ferrodyn_expr::ValueMap),
        );
        let parsed = parse_update(&rendered.text, placeholders);
        let ordered = clause_order(&actions);
        let clashes = ordered.iter().enumerate().any(|(i, a)| {
            ordered[i + 1..].iter().any(|b| clash(a.path(), b.path()))
        });
        if clashes {
            let problem = match parsed {
                Err(ExprError::Invalid { problem, .. }) => problem,
                other => panic!("{}: expected an overlap or conflict, got {other:?}", rendered.text),
            };
            prop_assert!(
                matches!(problem, Problem::PathOverlap { .. } | Problem::PathConflict { .. }),
                "{}: {problem}", rendered.text
            );
            return Ok(());
        }
        let parsed = match parsed {
            Ok(parsed) => parsed,
            Err(e) => panic!("{}: {e}", rendered.text),
        };
        let expected = model_apply(&ordered, &item);
        let actual = parsed.apply(&item);
        match (expected, actual) {
            (Ok(expected), Ok(outcome)) => {
                prop_assert_eq!(
                    support::item_text(&outcome.item),
                    support::item_text(&expected),
                    "{} on {}", rendered.text, support::item_text(&item)
                );
                let targets: Vec<&DocumentPath> = ordered.iter().map(Action::path).collect();
                let updated: Vec<&DocumentPath> = outcome.updated_paths.iter().collect();
                prop_assert_eq!(updated, targets);
            }
            (Err(ModelError::Runtime), Err(
                ExprError::AttributeNotFound
                | ExprError::InvalidUpdatePath
                | ExprError::IncorrectOperandType
                | ExprError::Number(_),
            )) => {}
            (expected, actual) => prop_assert!(
                false,
                "{} on {}: model {:?}, crate {:?}",
                rendered.text,
                support::item_text(&item),
                expected.map(|i| support::item_text(&i)),
                actual.map(|o| support::item_text(&o.item))
            ),
        }
    }

    #[test]
    fn parsers_never_panic(pieces in prop::collection::vec(prop::sample::select(&TOKENS[..]), 0..24)) {
        let text = pieces.concat();
        let names = BTreeMap::from([("#a".to_string(), "a".to_string())]);
        let values = BTreeMap::from([
            (":v".to_string(), AttributeValue::N(Number::from_i64(1))),
            (":s".to_string(), AttributeValue::S("S".to_string())),
        ]);
        let placeholders = Placeholders::new(Some(&names), Some(&values));
        let results = [
            parse_condition(&text, placeholders).err(),
            parse_update(&text, placeholders).err(),
            parse_projection(&text, placeholders).err(),
            ferrodyn_expr::parse_key_condition(&text, placeholders).err(),
        ];
        for error in results.into_iter().flatten() {
            let message = error.to_string();
            prop_assert!(!message.is_empty());
            if let ExprError::Invalid { problem: Problem::Syntax { near, .. }, .. } = &error {
                prop_assert!(text.contains(near.as_str()), "{text:?} does not contain {near:?}");
            }
        }
    }
}

/// Fragments the soup is made of: every token kind, plus separators.
const TOKENS: [&str; 42] = [
    "a",
    "b",
    "#a",
    "#b",
    ":v",
    ":s",
    ":w",
    "0",
    "12",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    " ",
    " ",
    "AND ",
    "OR ",
    "NOT ",
    "IN ",
    "BETWEEN ",
    "SET ",
    "REMOVE ",
    "ADD ",
    "DELETE ",
    "size",
    "contains",
    "if_not_exists",
    "list_append",
    "attribute_exists",
    "begins_with",
    "status",
    "ü",
];

/// The generators must exercise all three outcomes often enough for the
/// model test to mean something.
#[test]
fn distribution() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let (mut applied, mut failed, mut clashed) = (0, 0, 0);
    for _ in 0..1000 {
        let (item, actions) = strategy.new_tree(&mut runner).expect("case").current();
        let rendered = render(&actions);
        let placeholders = Placeholders::new(
            Some(&rendered.names as &dyn ferrodyn_expr::NameMap),
            (!rendered.values.is_empty())
                .then_some(&rendered.values as &dyn ferrodyn_expr::ValueMap),
        );
        match parse_update(&rendered.text, placeholders) {
            Err(_) => clashed += 1,
            Ok(parsed) => match parsed.apply(&item) {
                Ok(_) => applied += 1,
                Err(_) => failed += 1,
            },
        }
    }
    eprintln!("applied {applied}, failed {failed}, clashed {clashed}");
    assert!(
        applied >= 150 && failed >= 150 && clashed >= 100,
        "{applied} {failed} {clashed}"
    );
}
