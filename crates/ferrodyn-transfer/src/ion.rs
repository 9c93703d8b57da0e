//! Items in Amazon Ion text, as DynamoDB exports them: one item per line,
//! `$ion_1_0 {Item:{...}}`; S as a string, N as a decimal, B as a blob,
//! BOOL, NULL as `null`, L as a list, M as a struct, and the sets as lists
//! annotated `$dynamodb_SS`, `$dynamodb_NS` and `$dynamodb_BS`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use ferrodyn_model::{AttributeValue, Number};

use crate::ddb_json::encode_base64;

/// One line of an Ion export: the version marker, the item, a newline.
pub fn item_line(item: &BTreeMap<String, AttributeValue>) -> Vec<u8> {
    let mut out = String::with_capacity(128);
    out.push_str("$ion_1_0 {Item:");
    write_struct(item, &mut out);
    out.push_str("}\n");
    out.into_bytes()
}

fn write_struct(map: &BTreeMap<String, AttributeValue>, out: &mut String) {
    out.push('{');
    for (i, (name, value)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_symbol(name, out);
        out.push(':');
        write_value(value, out);
    }
    out.push('}');
}

fn write_value(v: &AttributeValue, out: &mut String) {
    match v {
        AttributeValue::S(s) => write_string(s, out),
        AttributeValue::N(n) => write_decimal(n, out),
        AttributeValue::B(b) => write_blob(b, out),
        AttributeValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        AttributeValue::Null => out.push_str("null"),
        AttributeValue::M(m) => write_struct(m, out),
        AttributeValue::L(l) => write_list(l.iter(), out, write_value),
        AttributeValue::Ss(s) => {
            out.push_str("$dynamodb_SS::");
            write_list(s.iter(), out, |s, out| write_string(s, out));
        }
        AttributeValue::Ns(s) => {
            out.push_str("$dynamodb_NS::");
            write_list(s.iter(), out, write_decimal);
        }
        AttributeValue::Bs(s) => {
            out.push_str("$dynamodb_BS::");
            write_list(s.iter(), out, |b, out| write_blob(b, out));
        }
    }
}

fn write_list<'a, T: 'a>(
    items: impl Iterator<Item = &'a T>,
    out: &mut String,
    write: impl Fn(&T, &mut String),
) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}

/// A number as an Ion decimal: `103.`, `1.5` (an integer gets a point, or
/// it would read as an Ion integer; DynamoDB's numbers are written without
/// exponents).
fn write_decimal(n: &Number, out: &mut String) {
    let text = n.to_string();
    out.push_str(&text);
    if !text.contains('.') {
        out.push('.');
    }
}

fn write_blob(b: &[u8], out: &mut String) {
    out.push_str("{{");
    out.push_str(&encode_base64(b));
    out.push_str("}}");
}

/// A string: quoted, with quotes, backslashes and control characters
/// escaped.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    escape_into(s, '"', out);
    out.push('"');
}

/// A field name: bare if it is an identifier Ion reads as this symbol,
/// else a quoted symbol.
fn write_symbol(name: &str, out: &mut String) {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        && !matches!(name, "true" | "false" | "null" | "nan")
        // `$` and digits name a symbol by its id.
        && !(name.starts_with('$') && name[1..].chars().all(|c| c.is_ascii_digit()));
    if identifier {
        out.push_str(name);
    } else {
        out.push('\'');
        escape_into(name, '\'', out);
        out.push('\'');
    }
}

fn escape_into(s: &str, quote: char, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).expect("number")
    }

    #[test]
    fn an_item_reads_as_dynamodb_writes_it() {
        let mut item = BTreeMap::new();
        item.insert(
            "Authors".to_owned(),
            AttributeValue::Ss(vec!["Author1".into(), "Author2".into()]),
        );
        item.insert("Id".to_owned(), AttributeValue::N(n("103")));
        item.insert("Price".to_owned(), AttributeValue::N(n("2.5")));
        item.insert("In Print".to_owned(), AttributeValue::Bool(false));
        item.insert("true".to_owned(), AttributeValue::Null);
        item.insert("b".to_owned(), AttributeValue::Bs(vec![vec![0, 1]]));
        item.insert(
            "m".to_owned(),
            AttributeValue::M(BTreeMap::from([(
                "q".to_owned(),
                AttributeValue::L(vec![
                    AttributeValue::S("it's \"x\"\n".into()),
                    AttributeValue::Ns(vec![n("-1.5")]),
                ]),
            )])),
        );
        let line = String::from_utf8(item_line(&item)).expect("utf-8");
        assert_eq!(
            line,
            "$ion_1_0 {Item:{Authors:$dynamodb_SS::[\"Author1\",\"Author2\"],Id:103.,'In Print':false,Price:2.5,b:$dynamodb_BS::[{{AAE=}}],m:{q:[\"it's \\\"x\\\"\\n\",$dynamodb_NS::[-1.5]]},'true':null}}\n"
        );
    }

    #[test]
    fn numbers_are_decimals() {
        for (number, ion) in [
            ("1E+100", format!("1{}.", "0".repeat(100))),
            ("-0.000001", "-0.000001".to_owned()),
            ("0", "0.".to_owned()),
        ] {
            let mut out = String::new();
            write_decimal(&n(number), &mut out);
            assert_eq!(out, ion, "{number}");
        }
    }
}
