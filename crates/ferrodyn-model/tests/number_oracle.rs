//! Property tests of [`Number`] with `bigdecimal` as the oracle: parsing,
//! normalised text, numeric order, the key encoding, exact arithmetic and
//! DynamoDB's size rule, on random numbers across the whole range.

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bigdecimal::{BigDecimal, Zero};
use ferrodyn_model::limits::{
    NUMBER_EXPONENT_MAX, NUMBER_EXPONENT_MIN, NUMBER_SIGNIFICANT_DIGITS_MAX,
};
use ferrodyn_model::number::{Number, NumberError};
use proptest::prelude::*;

/// A random valid number: the text given to `Number::parse` in one of
/// several layouts, and the same value in a layout the oracle surely reads.
#[derive(Clone, Debug)]
struct Sample {
    text: String,
    oracle_text: String,
}

impl Sample {
    fn oracle(&self) -> BigDecimal {
        oracle(&self.oracle_text)
    }

    fn number(&self) -> Number {
        Number::parse(&self.text).unwrap_or_else(|e| panic!("{:?} should parse: {e}", self.text))
    }
}

fn oracle(s: &str) -> BigDecimal {
    BigDecimal::from_str(s).unwrap_or_else(|e| panic!("oracle cannot read {s:?}: {e}"))
}

/// The exponent of the leading digit and the significant digit count of a
/// nonzero value.
fn shape(v: &BigDecimal) -> (i64, u64) {
    let normalized = v.normalized();
    let digits = normalized.digits();
    let (_, scale) = normalized.as_bigint_and_exponent();
    (digits as i64 - 1 - scale, digits)
}

/// Whether DynamoDB can store an exact value, with the errors in the order
/// `Number` documents. Arithmetic reports too many digits as an overflow.
fn verdict(v: &BigDecimal, arithmetic: bool) -> Result<(), NumberError> {
    if v.is_zero() {
        return Ok(());
    }
    let (leading, digits) = shape(v);
    if leading > i64::from(NUMBER_EXPONENT_MAX) {
        Err(NumberError::Overflow)
    } else if leading < i64::from(NUMBER_EXPONENT_MIN) {
        Err(NumberError::Underflow)
    } else if digits > NUMBER_SIGNIFICANT_DIGITS_MAX as u64 {
        Err(if arithmetic {
            NumberError::Overflow
        } else {
            NumberError::TooManyDigits
        })
    } else {
        Ok(())
    }
}

fn key(n: &Number) -> Vec<u8> {
    let mut out = Vec::new();
    n.encode_key(&mut out);
    out
}

fn hash(n: &Number) -> u64 {
    let mut h = DefaultHasher::new();
    n.hash(&mut h);
    h.finish()
}

/// Writes a value given as a sign, digits (first nonzero) and the exponent
/// of the first digit in one of several layouts.
fn layout(negative: bool, digits: &str, leading: i32, style: u8, pad: usize) -> String {
    let sign = if negative { "-" } else { "" };
    let count = digits.len() as i32;
    let zeros = "0".repeat(pad);
    match style {
        // Scientific, one digit before the point.
        0 => {
            let (first, rest) = digits.split_at(1);
            if rest.is_empty() {
                format!("{sign}{first}E{leading}")
            } else {
                format!("{sign}{first}.{rest}{zeros}e{leading:+}")
            }
        }
        // An integer coefficient and an exponent, with a `+` sign.
        1 => {
            let plus = if negative { "-" } else { "+" };
            format!("{plus}{zeros}{digits}E{}", leading - (count - 1))
        }
        // Plain decimal, with leading and trailing zeros.
        2 => {
            let point = leading + 1;
            if point <= 0 {
                format!(
                    "{sign}{zeros}.{}{digits}{zeros}",
                    "0".repeat((-point) as usize)
                )
            } else if point >= count {
                let tail = if pad > 0 {
                    format!(".{zeros}")
                } else {
                    String::new()
                };
                format!(
                    "{sign}{zeros}{digits}{}{tail}",
                    "0".repeat((point - count) as usize)
                )
            } else {
                let (integer, fraction) = digits.split_at(point as usize);
                format!("{sign}{zeros}{integer}.{fraction}{zeros}")
            }
        }
        // An integer coefficient with a bare trailing point.
        _ if pad == 1 => format!("{sign}{digits}.E{}", leading - (count - 1)),
        // A pure fraction and an exponent.
        _ => format!("{sign}0.{digits}{zeros}e{}", leading + 1),
    }
}

/// Nonzero samples with the leading digit's exponent in `leading`.
fn nonzero(leading: impl Strategy<Value = i32>) -> impl Strategy<Value = Sample> {
    nonzero_with(leading, NUMBER_SIGNIFICANT_DIGITS_MAX)
}

/// Nonzero samples of at most `max_digits` digits.
fn nonzero_with(
    leading: impl Strategy<Value = i32>,
    max_digits: usize,
) -> impl Strategy<Value = Sample> {
    (
        any::<bool>(),
        proptest::collection::vec(0u8..10, 1..=max_digits),
        1u8..10,
        leading,
        0u8..4,
        0usize..3,
    )
        .prop_map(|(negative, tail, first, leading, style, pad)| {
            let mut digits = String::with_capacity(tail.len());
            digits.push(char::from(b'0' + first));
            // One digit less than the limit, so the first one fits.
            for d in tail.iter().skip(1) {
                digits.push(char::from(b'0' + d));
            }
            let text = layout(negative, &digits, leading, style, pad);
            let oracle_text = layout(negative, &digits, leading, 0, 0);
            Sample { text, oracle_text }
        })
}

fn zero() -> impl Strategy<Value = Sample> {
    prop_oneof![
        Just("0"),
        Just("-0"),
        Just("+0.000"),
        Just("0e125"),
        Just("-0.0e-100"),
        Just(".0"),
        Just("00.")
    ]
    .prop_map(|text| Sample {
        text: text.to_string(),
        oracle_text: "0".to_string(),
    })
}

fn sample() -> impl Strategy<Value = Sample> {
    prop_oneof![
        1 => zero(),
        12 => nonzero(NUMBER_EXPONENT_MIN..=NUMBER_EXPONENT_MAX),
        // Small exponents, where numbers collide more often.
        6 => nonzero(-3..=3),
    ]
}

/// Two samples, often with nearby exponents so that sums and comparisons
/// exercise digit alignment rather than only the exponent.
fn pair() -> impl Strategy<Value = (Sample, Sample)> {
    prop_oneof![
        1 => (sample(), sample()),
        2 => (NUMBER_EXPONENT_MIN..=NUMBER_EXPONENT_MAX, -40i32..=40).prop_flat_map(|(a, offset)| {
            let b = (a + offset).clamp(NUMBER_EXPONENT_MIN, NUMBER_EXPONENT_MAX);
            (nonzero(Just(a)), nonzero(Just(b)))
        }),
        // Short numbers 36 to 39 places apart, whose sums and differences
        // need 37 to 40 digits: the edge of what DynamoDB can store.
        1 => (NUMBER_EXPONENT_MIN + 40..=NUMBER_EXPONENT_MAX, 36i32..=39).prop_flat_map(|(a, gap)| {
            (nonzero_with(Just(a), 3), nonzero_with(Just(a - gap), 3))
        }),
        1 => sample().prop_map(|a| {
            // The same value in another layout.
            let b = Sample {
                text: a.oracle_text.clone(),
                oracle_text: a.oracle_text.clone(),
            };
            (a, b)
        }),
    ]
}

/// DynamoDB's size rule written independently of `Number`: the plain
/// decimal text split into base-100 digits aligned on the point.
fn reference_size(plain: &str) -> usize {
    if plain == "0" {
        return 1;
    }
    let negative = plain.starts_with('-');
    let unsigned = plain.trim_start_matches('-');
    let (integer, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let integer = integer.trim_start_matches('0');
    let mut groups = String::new();
    if integer.len() % 2 == 1 {
        groups.push('0');
    }
    groups.push_str(integer);
    groups.push_str(fraction);
    if fraction.len() % 2 == 1 {
        groups.push('0');
    }
    let pairs: Vec<&str> = groups
        .as_bytes()
        .chunks(2)
        .map(|p| std::str::from_utf8(p).unwrap_or("??"))
        .collect();
    let first = pairs.iter().position(|p| *p != "00").unwrap_or(0);
    let last = pairs.iter().rposition(|p| *p != "00").unwrap_or(0);
    (2 + last - first + usize::from(negative)).min(21)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parses_to_the_oracles_value_and_prints_its_plain_form(s in sample()) {
        let n = s.number();
        let value = s.oracle();
        let printed = n.to_string();
        prop_assert_eq!(oracle(&printed), value.clone());
        // The plain form with no exponent, no padding zeros and no sign on 0.
        let expected = if value.is_zero() {
            "0".to_string()
        } else {
            value.normalized().to_plain_string()
        };
        prop_assert_eq!(&printed, &expected);
        prop_assert_eq!(Number::parse(&printed), Ok(n.clone()));
        prop_assert_eq!(printed.parse::<Number>(), Ok(n.clone()));
        let digits = if value.is_zero() { 0 } else { shape(&value).1 as usize };
        prop_assert_eq!(n.significant_digits(), digits);
        prop_assert_eq!(n.is_zero(), value.is_zero());
        prop_assert_eq!(n.is_negative(), value < BigDecimal::zero());
        prop_assert_eq!(n.size_bytes(), reference_size(&printed));
    }

    #[test]
    fn orders_like_the_oracle((a, b) in pair()) {
        let (x, y) = (a.number(), b.number());
        let want = a.oracle().cmp(&b.oracle());
        prop_assert_eq!(x.cmp(&y), want);
        prop_assert_eq!(x.partial_cmp(&y), Some(want));
        prop_assert_eq!(x == y, want == Ordering::Equal);
        if x == y {
            prop_assert_eq!(hash(&x), hash(&y));
        }
        // The key encoding orders as the numbers do.
        prop_assert_eq!(key(&x).cmp(&key(&y)), want);
    }

    #[test]
    fn key_encoding_round_trips(s in sample(), junk in proptest::collection::vec(any::<u8>(), 0..4)) {
        let n = s.number();
        let mut bytes = key(&n);
        let len = bytes.len();
        prop_assert!(len <= 22);
        bytes.extend_from_slice(&junk);
        prop_assert_eq!(Number::decode_key(&bytes), Ok((n, len)));
    }

    #[test]
    fn key_encodings_are_not_prefixes((a, b) in pair()) {
        let (ka, kb) = (key(&a.number()), key(&b.number()));
        if ka != kb {
            prop_assert!(!kb.starts_with(&ka) && !ka.starts_with(&kb));
        }
    }

    #[test]
    fn adds_and_subtracts_like_the_oracle((a, b) in pair()) {
        let (x, y) = (a.number(), b.number());
        let (p, q) = (a.oracle(), b.oracle());
        for (got, exact) in [
            (x.checked_add(&y), &p + &q),
            (x.checked_sub(&y), &p - &q),
            (y.checked_sub(&x), &q - &p),
        ] {
            match verdict(&exact, true) {
                Ok(()) => {
                    let got = got.map_err(|e| TestCaseError::fail(format!("{x} op {y}: {e}")))?;
                    prop_assert_eq!(oracle(&got.to_string()), exact);
                    prop_assert!(!(got.is_zero() && got.is_negative()));
                }
                Err(e) => prop_assert_eq!(got, Err(e)),
            }
        }
    }

    #[test]
    fn checks_range_and_precision_like_the_oracle(
        negative in any::<bool>(),
        integer in "[0-9]{0,45}",
        fraction in proptest::option::of("[0-9]{0,45}"),
        exponent in proptest::option::of(-200i64..=200),
    ) {
        let mut text = String::new();
        if negative {
            text.push('-');
        }
        text.push_str(&integer);
        if let Some(f) = &fraction {
            text.push('.');
            text.push_str(f);
        }
        if let Some(e) = exponent {
            text.push_str(&format!("e{e}"));
        }
        let fraction_digits = fraction.as_deref().unwrap_or("");
        let got = Number::parse(&text);
        if integer.is_empty() && fraction_digits.is_empty() {
            prop_assert_eq!(got, Err(NumberError::NotANumber));
            return Ok(());
        }
        let oracle_text = format!(
            "{}{}.{}e{}",
            if negative { "-" } else { "" },
            if integer.is_empty() { "0" } else { &integer },
            if fraction_digits.is_empty() { "0" } else { fraction_digits },
            exponent.unwrap_or(0),
        );
        let value = oracle(&oracle_text);
        let want = if value.is_zero() {
            // Zero is checked by its written exponent; see `Number`.
            let written = exponent.unwrap_or(0) - fraction_digits.len() as i64;
            if written > i64::from(NUMBER_EXPONENT_MAX) {
                Err(NumberError::Overflow)
            } else if written < i64::from(NUMBER_EXPONENT_MIN) {
                Err(NumberError::Underflow)
            } else {
                Ok(())
            }
        } else {
            verdict(&value, false)
        };
        match want {
            Ok(()) => {
                let n = got.map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
                prop_assert_eq!(oracle(&n.to_string()), value);
            }
            Err(e) => prop_assert_eq!(got, Err(e)),
        }
    }

    #[test]
    fn survives_arbitrary_text(text in "\\PC{0,40}|[-+0-9.eE ]{0,40}") {
        if let Ok(n) = Number::parse(&text) {
            prop_assert_eq!(Number::parse(&n.to_string()), Ok(n.clone()));
            // Where the oracle reads the text too, the values agree.
            if let Ok(v) = BigDecimal::from_str(&text) {
                prop_assert_eq!(oracle(&n.to_string()), v);
            }
        }
    }

    #[test]
    fn survives_arbitrary_key_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..30)) {
        if let Ok((n, used)) = Number::decode_key(&bytes) {
            // Anything that decodes is exactly what the encoder writes.
            prop_assert_eq!(&key(&n)[..], &bytes[..used]);
        }
    }

    #[test]
    fn converts_i64_like_the_oracle(v in any::<i64>()) {
        let n = Number::from_i64(v);
        prop_assert_eq!(n.to_string(), v.to_string());
        prop_assert_eq!(Number::parse(&v.to_string()), Ok(n));
    }
}
