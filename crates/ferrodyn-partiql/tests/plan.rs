//! How SELECTs are planned: Query (which partitions, which sort-key
//! condition, which direction) or Scan, as the Developer Guide's
//! ql-reference.select page lists the statements that do and do not scan.

use ferrodyn_expr::KeyPredicate;
use ferrodyn_model::{AttributeValue, Number};
use ferrodyn_partiql::ast::Statement;
use ferrodyn_partiql::{KeyNames, ReadPlan, parse, plan};

fn keys() -> KeyNames {
    KeyNames {
        partition: vec!["OrderID".into()],
        sort: vec!["Line".into()],
    }
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(Number::from_i64(v))
}

fn read(text: &str) -> Result<(ReadPlan, bool), String> {
    let Ok(Statement::Select(select)) = parse(text) else {
        panic!("not a SELECT: {text}");
    };
    plan::select(&select, &keys(), &[])
        .map(|p| (p.read, p.filter.is_some()))
        .map_err(|e| e.to_string())
}

fn partitions(plan: &ReadPlan) -> Vec<AttributeValue> {
    match plan {
        ReadPlan::Query { partitions, .. } => partitions.clone(),
        ReadPlan::Scan => Vec::new(),
    }
}

#[test]
fn statements_the_guide_says_do_not_scan() {
    for (text, values, filtered) in [
        (
            "SELECT * FROM Orders WHERE OrderID = 100",
            vec![n(100)],
            false,
        ),
        (
            "SELECT * FROM Orders WHERE OrderID = 100 and Address='some address'",
            vec![n(100)],
            true,
        ),
        (
            "SELECT * FROM Orders WHERE OrderID = 100 or OrderID = 200",
            vec![n(100), n(200)],
            false,
        ),
        (
            "SELECT * FROM Orders WHERE OrderID IN [100, 300, 234]",
            vec![n(100), n(300), n(234)],
            false,
        ),
        (
            "SELECT * FROM Orders WHERE 100 = OrderID",
            vec![n(100)],
            false,
        ),
    ] {
        let (plan, has_filter) = read(text).expect(text);
        assert_eq!(partitions(&plan), values, "{text}");
        assert_eq!(has_filter, filtered, "{text}");
    }
}

#[test]
fn statements_the_guide_says_scan() {
    for text in [
        "SELECT * FROM Orders",
        "SELECT * FROM Orders WHERE OrderID > 1",
        "SELECT * FROM Orders WHERE Address='some address'",
        "SELECT * FROM Orders WHERE OrderID = 100 OR Address='some address'",
    ] {
        let (plan, _) = read(text).expect(text);
        assert_eq!(plan, ReadPlan::Scan, "{text}");
    }
}

#[test]
fn sort_key_terms_become_the_key_condition() {
    let (plan, filtered) =
        read("SELECT * FROM Orders WHERE OrderID = 1 AND Line BETWEEN 2 AND 5 AND x = 1 ORDER BY Line DESC")
            .expect("plan");
    assert_eq!(
        plan,
        ReadPlan::Query {
            partitions: vec![n(1)],
            sort: Some(("Line".into(), KeyPredicate::Between(n(2), n(5)))),
            descending: true,
        }
    );
    assert!(filtered);
    // A second sort-key term stays in the filter; `<>` never is a key condition.
    let (plan, filtered) =
        read("SELECT * FROM Orders WHERE OrderID = 1 AND 3 > Line AND Line > 0").expect("plan");
    assert_eq!(
        plan,
        ReadPlan::Query {
            partitions: vec![n(1)],
            sort: Some(("Line".into(), KeyPredicate::Lt(n(3)))),
            descending: false,
        }
    );
    assert!(filtered);
    let (plan, _) = read("SELECT * FROM Orders WHERE OrderID = 1 AND Line <> 3").expect("plan");
    assert!(matches!(plan, ReadPlan::Query { sort: None, .. }));
    // Without the partition key, a sort-key term is a filter of a Scan.
    let (plan, filtered) = read("SELECT * FROM Orders WHERE Line = 3").expect("plan");
    assert_eq!((plan, filtered), (ReadPlan::Scan, true));
}

#[test]
fn writes_need_the_whole_key() {
    let write = |text: &str| {
        let Ok(Statement::Delete { condition, .. }) = parse(text) else {
            panic!("not a DELETE: {text}");
        };
        plan::write_target(&condition, &keys(), &[]).map_err(|e| e.to_string())
    };
    let w = write("DELETE FROM Orders WHERE Line = 2 AND OrderID = 1 AND Total > 5").expect("key");
    assert_eq!(w.key.get("OrderID"), Some(&n(1)));
    assert_eq!(w.key.get("Line"), Some(&n(2)));
    assert!(w.condition.is_some());
    assert_eq!(
        write("DELETE FROM Orders WHERE OrderID = 1").unwrap_err(),
        "Where clause does not contain a mandatory equality on all key attributes"
    );
    assert_eq!(
        write("DELETE FROM Orders WHERE OrderID = 1 OR Line = 2").unwrap_err(),
        "Where clause does not contain a mandatory equality on all key attributes"
    );
}
