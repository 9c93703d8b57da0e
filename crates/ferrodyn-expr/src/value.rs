//! DynamoDB's comparison rules for attribute values, and the few value
//! operations expressions need (set union and difference, type names).
//!
//! Equality is structural with two refinements: sets are equal when they
//! have the same members in any order, and numbers compare by value. Values
//! of different types are never equal. Ordering (`<`, `BETWEEN`, ...) exists
//! only between two strings (by UTF-8 bytes, which is code point order), two
//! numbers, or two binaries (by unsigned bytes).

use std::cmp::Ordering;

use ferrodyn_model::{AttributeType, AttributeValue};

/// Whether `a` and `b` are equal under DynamoDB's rules.
pub fn values_equal(a: &AttributeValue, b: &AttributeValue) -> bool {
    use AttributeValue as V;
    match (a, b) {
        (V::S(x), V::S(y)) => x == y,
        (V::N(x), V::N(y)) => x.cmp(y) == Ordering::Equal,
        (V::B(x), V::B(y)) => x == y,
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::Null, V::Null) => true,
        (V::L(x), V::L(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| values_equal(p, q))
        }
        (V::M(x), V::M(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| values_equal(v, w)))
        }
        // Sets hold no duplicates, so equal length plus inclusion is
        // equality.
        (V::Ss(x), V::Ss(y)) => x.len() == y.len() && x.iter().all(|e| y.contains(e)),
        (V::Ns(x), V::Ns(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|e| y.iter().any(|f| e.cmp(f) == Ordering::Equal))
        }
        (V::Bs(x), V::Bs(y)) => x.len() == y.len() && x.iter().all(|e| y.contains(e)),
        _ => false,
    }
}

/// The order of `a` and `b` when both are strings, both numbers or both
/// binaries; `None` otherwise.
pub fn compare_ordered(a: &AttributeValue, b: &AttributeValue) -> Option<Ordering> {
    use AttributeValue as V;
    match (a, b) {
        (V::S(x), V::S(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (V::N(x), V::N(y)) => Some(x.cmp(y)),
        (V::B(x), V::B(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The type's name in upper-case words, as ADD and DELETE type errors print
/// it (`STRING`, `NUMBER`, `LIST`, ...).
pub(crate) fn type_word(t: AttributeType) -> &'static str {
    match t {
        AttributeType::S => "STRING",
        AttributeType::N => "NUMBER",
        AttributeType::B => "BINARY",
        AttributeType::Bool => "BOOLEAN",
        AttributeType::Null => "NULL",
        AttributeType::M => "MAP",
        AttributeType::L => "LIST",
        AttributeType::Ss => "STRING_SET",
        AttributeType::Ns => "NUMBER_SET",
        AttributeType::Bs => "BINARY_SET",
    }
}

/// Whether `t` is one of the three set types.
pub(crate) fn is_set_type(t: AttributeType) -> bool {
    matches!(t, AttributeType::Ss | AttributeType::Ns | AttributeType::Bs)
}

/// `existing` with the members of `added` that it lacks appended, or `None`
/// when the two are not sets of the same type. Existing members keep their
/// order and new ones follow in the order given.
pub(crate) fn set_union(
    existing: &AttributeValue,
    added: &AttributeValue,
) -> Option<AttributeValue> {
    use AttributeValue as V;
    Some(match (existing, added) {
        (V::Ss(x), V::Ss(y)) => V::Ss(union_by(x, y, |a, b| a == b)),
        (V::Ns(x), V::Ns(y)) => V::Ns(union_by(x, y, |a, b| a.cmp(b) == Ordering::Equal)),
        (V::Bs(x), V::Bs(y)) => V::Bs(union_by(x, y, |a, b| a == b)),
        _ => return None,
    })
}

fn union_by<T: Clone>(existing: &[T], added: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out = existing.to_vec();
    for item in added {
        if !out.iter().any(|e| eq(e, item)) {
            out.push(item.clone());
        }
    }
    out
}

/// The result of removing `removed`'s members from `existing`: `Some(None)`
/// when nothing is left (DynamoDB then removes the attribute), `None` when
/// the two are not sets of the same type.
pub(crate) fn set_difference(
    existing: &AttributeValue,
    removed: &AttributeValue,
) -> Option<Option<AttributeValue>> {
    use AttributeValue as V;
    let result = match (existing, removed) {
        (V::Ss(x), V::Ss(y)) => {
            let left: Vec<String> = x.iter().filter(|e| !y.contains(e)).cloned().collect();
            (!left.is_empty()).then_some(V::Ss(left))
        }
        (V::Ns(x), V::Ns(y)) => {
            let left: Vec<_> = x
                .iter()
                .filter(|e| !y.iter().any(|f| e.cmp(&f) == Ordering::Equal))
                .cloned()
                .collect();
            (!left.is_empty()).then_some(V::Ns(left))
        }
        (V::Bs(x), V::Bs(y)) => {
            let left: Vec<Vec<u8>> = x.iter().filter(|e| !y.contains(e)).cloned().collect();
            (!left.is_empty()).then_some(V::Bs(left))
        }
        _ => return None,
    };
    Some(result)
}

/// Standard base64 with padding, the encoding binary values have on the wire.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrodyn_model::Number;

    fn n(s: &str) -> Number {
        Number::parse(s).expect("number")
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sets_are_equal_in_any_order() {
        let a = AttributeValue::Ns(vec![n("1"), n("2.0")]);
        let b = AttributeValue::Ns(vec![n("2"), n("1")]);
        assert!(values_equal(&a, &b));
        assert!(!values_equal(&a, &AttributeValue::Ns(vec![n("1")])));
    }

    #[test]
    fn different_types_are_neither_equal_nor_ordered() {
        let s = AttributeValue::S("1".into());
        let num = AttributeValue::N(n("1"));
        assert!(!values_equal(&s, &num));
        assert_eq!(compare_ordered(&s, &num), None);
    }
}
