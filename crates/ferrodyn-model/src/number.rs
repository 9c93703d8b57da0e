//! The exact decimal behind DynamoDB's `N` type.
//!
//! A DynamoDB number is an exact decimal of at most
//! [`NUMBER_SIGNIFICANT_DIGITS_MAX`] significant digits whose leading digit
//! has a decimal exponent between [`NUMBER_EXPONENT_MIN`] and
//! [`NUMBER_EXPONENT_MAX`], or zero. That is, magnitudes from `1E-130` to
//! `9.9999999999999999999999999999999999999E+125`. [`Number`] holds exactly
//! that set: a sign, a coefficient of at most 38 digits with no trailing
//! zeros (so it fits a `u128`), and the exponent of its last digit. Every
//! value has one representation, which makes the derived equality and hash
//! numeric (`1.0 == 1`) and keeps the type small, free of heap memory and
//! cheap to compare.
//!
//! # Text
//!
//! [`Number::parse`] accepts the syntax of Java's `BigDecimal` restricted to
//! ASCII: an optional `+` or `-`, digits with an optional decimal point
//! (`5`, `5.`, `.5`, `5.25`; at least one digit in all), and an optional
//! exponent `e` or `E` with an optional sign and at least one digit. Nothing
//! else is accepted: no whitespace, no `NaN` or `Infinity`, no hexadecimal,
//! no digit separators, no non-ASCII digits.
//!
//! [`Display`](fmt::Display) writes the form DynamoDB returns: plain
//! decimal, never an exponent; no leading zeros except a lone `0` before
//! the point; no trailing fractional zeros and no trailing point; no `+`;
//! and zero is always `0`, never `-0`.
//!
//! Compatibility: the rules above come from tests run against DynamoDB
//! itself: the ScyllaDB Alternator suite (`test/alternator/test_number.py`:
//! `+3`, `.123`, `0001.23` and `1e+5` are accepted, `' 1'`, `'1 '`, `NaN`
//! and `Infinity` are refused, and its table of normalised outputs) and the
//! `paritysuite/dynamodb-conformance` captures of 2026 (exact messages for
//! `abc`, `1.2.3`, `0x10`, `1e`, the empty string and spaces). `5.` and
//! `5.e3` are accepted on weaker evidence: `BigDecimal`, which DynamoDB's
//! older validation layer is documented by those captures to use, accepts
//! them, and so does dynalite.
//!
//! # Validation order and messages
//!
//! [`Number::parse`] first checks the syntax ([`NumberError::NotANumber`]),
//! then the magnitude ([`NumberError::Overflow`], then
//! [`NumberError::Underflow`]), then the precision
//! ([`NumberError::TooManyDigits`]), the order dynalite uses. The exponent
//! is read as a 64-bit integer: an exponent that does not fit is not a
//! number, and any exponent that fits is range-checked in full, so
//! `1e99999999999` overflows rather than wrapping.
//!
//! Compatibility: zero is range-checked by the exponent it is written with,
//! as `BigDecimal` computes it (`precision - scale - 1`, where a zero has
//! precision 1): `0e125` is `0` but `0e126` overflows and `0e-131`
//! underflows (conformance captures, October 2026). By the same rule a zero
//! written with more than 130 fractional digits underflows; that case is
//! extrapolated, not observed. Which of "too large" and "too many digits"
//! DynamoDB reports when a number is both is not observed either.
//!
//! # Arithmetic
//!
//! [`Number::checked_add`] and [`Number::checked_sub`] are exact. A result
//! of more than 38 significant digits is refused, never rounded.
//!
//! Compatibility: DynamoDB reports such a result (`1e50 + 1`) with the
//! *overflow* message, not the significant-digits one, as the Alternator
//! suite observed against DynamoDB; [`Number::checked_add`] does the same.
//!
//! # Size
//!
//! [`Number::size_bytes`] follows DynamoDB's internal layout rather than the
//! developer guide's approximation; see that method.
//!
//! # Key encoding
//!
//! [`Number::encode_key`] writes an order-preserving, self-delimiting
//! encoding: comparing two encodings as unsigned bytes gives the numeric
//! order, and no encoding is a prefix of another. It is a persisted format.
//!
//! ```text
//! zero:      0x02
//!
//! positive:  0x03  E  P1 P2 ... Pk  0x00
//! negative:  0x01 !E !P1 !P2 ... !Pk 0xFF      (! = bitwise NOT)
//!
//! E   one byte: the exponent of the leading digit minus NUMBER_EXPONENT_MIN,
//!     so -130 => 0x00, 0 => 0x82, 125 => 0xFF.
//! Pi  one byte per pair of digits of the coefficient, most significant
//!     first: 1 + 10 * d1 + d2, in 0x01..=0x64. An odd last digit d pairs
//!     with 0; that is unambiguous because the coefficient never ends in 0.
//! ```
//!
//! For example `12.5` is `03 83 0D 33 00` and `-1` is `01 7D F4 FF`.
//!
//! The tags put every negative before zero before every positive. Among
//! positives a larger exponent means a larger number, because the leading
//! digit is never 0; with equal exponents the digit pairs compare as the
//! digits do, and the terminator `0x00`, smaller than any pair byte, ends
//! the shorter coefficient, which is the smaller number. Inverting every
//! byte after the tag reverses that order for negatives, where a larger
//! magnitude is a smaller number; the inverted terminator `0xFF` is then
//! larger than any inverted pair byte (`0x9B..=0xFE`). A decoder finds the
//! end at the first terminator after the exponent byte, which no pair byte
//! can be mistaken for, so the encoding needs no length. An encoding is at
//! most 22 bytes: tag, exponent, 19 pairs and the terminator.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::limits::{NUMBER_EXPONENT_MAX, NUMBER_EXPONENT_MIN, NUMBER_SIGNIFICANT_DIGITS_MAX};

/// The largest size [`Number::size_bytes`] reports. DynamoDB's layout holds
/// an exponent byte and at most 20 base-100 digits, and a negative number
/// whose digits fill all 20 has no room for its terminator byte.
const NUMBER_SIZE_BYTES_MAX: usize = 21;

/// Key tag of negative numbers; the smallest so that they sort first.
const TAG_NEGATIVE: u8 = 0x01;
/// Key tag of zero.
const TAG_ZERO: u8 = 0x02;
/// Key tag of positive numbers.
const TAG_POSITIVE: u8 = 0x03;
/// Ends the digit pairs of a positive key; no pair byte is this small.
const KEY_TERMINATOR: u8 = 0x00;
/// The largest digit-pair byte, `1 + 10 * 9 + 9`.
const KEY_PAIR_MAX: u8 = 100;

// The coefficient lives in a `u128`, which holds every 38-digit number but
// not every 39-digit one; raising the limit needs a wider coefficient.
const _: () = assert!(NUMBER_SIGNIFICANT_DIGITS_MAX == 38);
// The key stores the leading exponent in one byte, which needs the range to
// hold exactly 256 exponents.
const _: () = assert!(NUMBER_EXPONENT_MAX - NUMBER_EXPONENT_MIN == 255);

/// `POW10[i] == 10^i`, for every shift the arithmetic needs.
const POW10: [u128; NUMBER_SIGNIFICANT_DIGITS_MAX + 1] = pow10_table();

const fn pow10_table() -> [u128; NUMBER_SIGNIFICANT_DIGITS_MAX + 1] {
    let mut table = [1u128; NUMBER_SIGNIFICANT_DIGITS_MAX + 1];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
}

/// 10^19, the largest power of ten below `u64::MAX`, so that printing a
/// coefficient needs at most one `u128` division.
const TEN_POW_19: u128 = 10_000_000_000_000_000_000;

/// The longest text [`Number`]'s `Display` writes: a sign, `0.`, the zeros
/// before the smallest leading digit, and a full coefficient; or a sign and
/// the 126 digits of the largest integer.
const DISPLAY_BYTES_MAX: usize = {
    let fraction = 3 + (-NUMBER_EXPONENT_MIN - 1) as usize + NUMBER_SIGNIFICANT_DIGITS_MAX;
    let integer = 1 + (NUMBER_EXPONENT_MAX + 1) as usize;
    if fraction > integer {
        fraction
    } else {
        integer
    }
};

/// Why a text or a calculation is not a DynamoDB number. `Display` is the
/// message DynamoDB sends in its `ValidationException`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    /// The text is not a number at all.
    ///
    /// Compatibility: DynamoDB follows this text with `": "` and the value
    /// it refused (`The parameter cannot be converted to a numeric value:
    /// abc`) in PutItem, UpdateItem, DeleteItem, GetItem, BatchGetItem and
    /// Query; [`NumberError::message_with_input`] writes that form. Its
    /// older validation layer (BatchWriteItem, transactions and Scan in
    /// most regions) drops the colon for an empty string. DynamoDB Local
    /// says "A value provided cannot be converted into a number" instead;
    /// ferrodyn follows the service.
    #[error("The parameter cannot be converted to a numeric value")]
    NotANumber,
    /// The number has more significant digits than DynamoDB keeps.
    #[error(
        "Attempting to store more than {max} significant digits in a Number",
        max = NUMBER_SIGNIFICANT_DIGITS_MAX
    )]
    TooManyDigits,
    /// The magnitude is larger than DynamoDB's largest number, or a sum or
    /// difference needs more significant digits than DynamoDB keeps.
    #[error(
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    )]
    Overflow,
    /// The magnitude is nonzero and smaller than DynamoDB's smallest number.
    #[error(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range"
    )]
    Underflow,
}

impl NumberError {
    /// The message DynamoDB's current validation layer sends for this error
    /// when `input` was the offending text: the [`NumberError::NotANumber`]
    /// message gains `": "` and the input (even an empty one); the others
    /// do not mention the input.
    pub fn message_with_input(&self, input: &str) -> String {
        match self {
            NumberError::NotANumber => format!("{self}: {input}"),
            _ => self.to_string(),
        }
    }
}

/// Why bytes are not an encoding written by [`Number::encode_key`]. Only
/// corrupt storage produces these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NumberDecodeError {
    /// The input ended before the encoding did.
    #[error("number key truncated")]
    Truncated,
    /// The first byte is not a number tag.
    #[error("number key has unknown tag {0:#04x}")]
    UnknownTag(u8),
    /// A byte where a digit pair belongs is not one.
    #[error("number key has invalid digit pair {0:#04x}")]
    InvalidDigitPair(u8),
    /// The encoding holds more digits than a number may have.
    #[error("number key has too many digits")]
    TooManyDigits,
    /// The digits have a leading or trailing zero, or there are none, which
    /// the encoder never writes.
    #[error("number key digits are not canonical")]
    NotCanonical,
}

/// An exact DynamoDB number; see the [module documentation](self).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number {
    /// High half of the coefficient. The coefficient has no trailing zeros
    /// and is 0 only for zero. It is kept in two halves so that the type
    /// needs 8-byte rather than 16-byte alignment, which keeps
    /// `AttributeValue` small.
    coefficient_high: u64,
    /// Low half of the coefficient.
    coefficient_low: u64,
    /// The decimal exponent of the coefficient's last digit (0 for zero).
    exponent: i16,
    /// How many digits the coefficient has (0 for zero).
    digits: u8,
    /// Whether the number is below zero (never for zero).
    negative: bool,
}

impl Number {
    /// Parses DynamoDB's text form of a number; see the module
    /// documentation for the syntax accepted and the order of the checks.
    /// Does not allocate.
    pub fn parse(s: &str) -> Result<Number, NumberError> {
        let bytes = s.as_bytes();
        let mut i = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                i = 1;
                true
            }
            Some(b'+') => {
                i = 1;
                false
            }
            _ => false,
        };

        let mut digits = DigitAccumulator::default();
        let integer_start = i;
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            digits.push(b - b'0');
            i += 1;
        }
        let integer_len = i - integer_start;
        let mut fraction_len = 0;
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            let fraction_start = i;
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                digits.push(b - b'0');
                i += 1;
            }
            fraction_len = i - fraction_start;
        }
        if integer_len + fraction_len == 0 {
            return Err(NumberError::NotANumber);
        }

        let mut exponent: i64 = 0;
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            let exponent_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            // `None` once the magnitude no longer fits; the digits are still
            // consumed so that the syntax is checked to the end.
            let mut magnitude: Option<u64> = Some(0);
            while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
                magnitude = magnitude
                    .and_then(|m| m.checked_mul(10))
                    .and_then(|m| m.checked_add(u64::from(b - b'0')));
                i += 1;
            }
            if i == start {
                return Err(NumberError::NotANumber);
            }
            let value = magnitude.and_then(|m| {
                if exponent_negative {
                    0i64.checked_sub_unsigned(m)
                } else {
                    i64::try_from(m).ok()
                }
            });
            exponent = value.ok_or(NumberError::NotANumber)?;
        }
        if i != bytes.len() {
            return Err(NumberError::NotANumber);
        }

        // Wide arithmetic: the digit counts are bounded only by the input's
        // length and the exponent by `i64`.
        let exponent = i128::from(exponent);
        let Some(first_nonzero) = digits.first_nonzero else {
            // Zero is range-checked by its BigDecimal exponent, the negated
            // scale; see "Compatibility" in the module documentation.
            check_range(exponent - fraction_len as i128)?;
            return Ok(Number::zero());
        };
        let leading = integer_len as i128 - 1 - first_nonzero as i128 + exponent;
        check_range(leading)?;
        if digits.significant > NUMBER_SIGNIFICANT_DIGITS_MAX {
            return Err(NumberError::TooManyDigits);
        }
        let last = leading - (digits.significant as i128 - 1);
        let last = i16::try_from(last).map_err(|_| NumberError::Underflow)?;
        // The casts are exact: there are at most 38 digits.
        Ok(Number::from_canonical(
            negative,
            digits.coefficient,
            last,
            digits.significant as u8,
        ))
    }

    /// The number 0.
    pub const fn zero() -> Number {
        Number {
            coefficient_high: 0,
            coefficient_low: 0,
            exponent: 0,
            digits: 0,
            negative: false,
        }
    }

    /// The number equal to `v`; every `i64` is one.
    pub fn from_i64(v: i64) -> Number {
        let (coefficient, exponent) = strip_trailing_zeros(u128::from(v.unsigned_abs()), 0);
        // An i64 has at most 19 digits, so the exponent fits.
        let exponent = i16::try_from(exponent).unwrap_or(0);
        Number::from_canonical(v < 0, coefficient, exponent, digit_count(coefficient))
    }

    /// Whether this is 0.
    pub fn is_zero(&self) -> bool {
        self.digits == 0
    }

    /// Whether this is below 0 (never true of 0).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// `self + other`, exactly, or the error DynamoDB gives when the sum is
    /// out of range or needs more than 38 significant digits (reported as
    /// [`NumberError::Overflow`]; see the module documentation).
    pub fn checked_add(&self, other: &Number) -> Result<Number, NumberError> {
        self.add_signed(other, false)
    }

    /// `self - other`, exactly, with the errors of [`Number::checked_add`].
    pub fn checked_sub(&self, other: &Number) -> Result<Number, NumberError> {
        self.add_signed(other, true)
    }

    /// How many significant digits this has: leading and trailing zeros do
    /// not count, and 0 has none.
    pub fn significant_digits(&self) -> usize {
        usize::from(self.digits)
    }

    /// DynamoDB's storage size of this number, in bytes, as item-size
    /// limits and capacity units count it.
    ///
    /// The developer guide says "approximately 1 byte per two significant
    /// digits plus 1 byte". Measurements against DynamoDB are more precise:
    /// the digits are grouped in pairs aligned on the decimal point, as in
    /// a base-100 (Oracle `NUMBER`-style) layout, so `3.14159` (digit
    /// groups `3|14|15|9`) costs 5 bytes while `123456` costs 4; interior
    /// zero pairs count (`100.5` costs 4) but leading and trailing ones do
    /// not (`1E125` costs 2); a negative number costs one byte more; 0
    /// costs 1; and no number costs more than 21.
    ///
    /// Compatibility: the rule reproduces all 23 sizes in the
    /// `paritysuite/dynamodb-conformance` capture (eu-west-2, 2026) and is
    /// the rule of Zac Charles's widely used `dynamodb-calculator`. The two
    /// differ where a value has an odd number of integer digits and
    /// trailing zeros (`120`: 3 bytes here, 2 by the conformance suite's
    /// formula), which no capture covers; the base-100 rule is the one
    /// with a mechanism behind it.
    pub fn size_bytes(&self) -> usize {
        if self.is_zero() {
            return 1;
        }
        let leading_group = self.leading_exponent().div_euclid(2);
        let last_group = i32::from(self.exponent).div_euclid(2);
        // At most 20 groups, so the conversion cannot fail.
        let groups = usize::try_from(leading_group - last_group + 1).unwrap_or(0);
        (1 + groups + usize::from(self.negative)).min(NUMBER_SIZE_BYTES_MAX)
    }

    /// Appends the order-preserving key encoding of this number to `out`;
    /// the layout is in the module documentation.
    pub fn encode_key(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(TAG_ZERO);
            return;
        }
        let (tag, invert) = if self.negative {
            (TAG_NEGATIVE, 0xFF)
        } else {
            (TAG_POSITIVE, 0x00)
        };
        // In range by construction, so the byte is exact.
        let exponent_byte =
            u8::try_from(self.leading_exponent() - NUMBER_EXPONENT_MIN).unwrap_or(0);
        let digits = CoefficientDigits::of(self);
        out.reserve(3 + digits.as_slice().len().div_ceil(2));
        out.push(tag);
        out.push(exponent_byte ^ invert);
        for pair in digits.as_slice().chunks(2) {
            let high = pair[0] - b'0';
            let low = pair.get(1).map_or(0, |d| d - b'0');
            out.push((1 + 10 * high + low) ^ invert);
        }
        out.push(KEY_TERMINATOR ^ invert);
    }

    /// Decodes one number written by [`Number::encode_key`] from the front
    /// of `input`, returning it and how many bytes it used. Bytes after it
    /// are left alone.
    pub fn decode_key(input: &[u8]) -> Result<(Number, usize), NumberDecodeError> {
        let (&tag, rest) = input.split_first().ok_or(NumberDecodeError::Truncated)?;
        let invert = match tag {
            TAG_ZERO => return Ok((Number::zero(), 1)),
            TAG_POSITIVE => 0x00,
            TAG_NEGATIVE => 0xFF,
            other => return Err(NumberDecodeError::UnknownTag(other)),
        };
        let exponent_byte = rest.first().ok_or(NumberDecodeError::Truncated)? ^ invert;
        let leading = i32::from(exponent_byte) + NUMBER_EXPONENT_MIN;

        let mut coefficient: u128 = 0;
        let mut pairs = 0usize;
        let mut first_pair = 0u8;
        let mut last_pair = 0u8;
        let mut used = 1;
        loop {
            let byte = rest.get(used).ok_or(NumberDecodeError::Truncated)? ^ invert;
            used += 1;
            if byte == KEY_TERMINATOR {
                break;
            }
            if byte > KEY_PAIR_MAX {
                return Err(NumberDecodeError::InvalidDigitPair(byte ^ invert));
            }
            if 2 * (pairs + 1) > NUMBER_SIGNIFICANT_DIGITS_MAX + 1 {
                return Err(NumberDecodeError::TooManyDigits);
            }
            let pair = byte - 1;
            if pairs == 0 {
                first_pair = pair;
            }
            last_pair = pair;
            coefficient = coefficient * 100 + u128::from(pair);
            pairs += 1;
        }
        // The first digit and the last must be nonzero; a last pair ending
        // in 0 stands for one odd digit.
        if pairs == 0 || first_pair < 10 || last_pair == 0 {
            return Err(NumberDecodeError::NotCanonical);
        }
        let mut digits = 2 * pairs;
        if last_pair.is_multiple_of(10) {
            coefficient /= 10;
            digits -= 1;
        }
        if digits > NUMBER_SIGNIFICANT_DIGITS_MAX {
            return Err(NumberDecodeError::TooManyDigits);
        }
        // At most 38 digits and a leading exponent in range, so both fit.
        let digits = u8::try_from(digits).map_err(|_| NumberDecodeError::TooManyDigits)?;
        let exponent = i16::try_from(leading - i32::from(digits) + 1)
            .map_err(|_| NumberDecodeError::NotCanonical)?;
        Ok((
            Number::from_canonical(invert != 0, coefficient, exponent, digits),
            1 + used,
        ))
    }

    /// Builds a number from parts already in canonical form.
    fn from_canonical(negative: bool, coefficient: u128, exponent: i16, digits: u8) -> Number {
        Number {
            // The halves of a u128, split deliberately.
            coefficient_high: (coefficient >> 64) as u64,
            coefficient_low: coefficient as u64,
            exponent,
            digits,
            negative: negative && coefficient != 0,
        }
    }

    fn coefficient(&self) -> u128 {
        (u128::from(self.coefficient_high) << 64) | u128::from(self.coefficient_low)
    }

    /// The decimal exponent of the leading digit; meaningless for zero.
    fn leading_exponent(&self) -> i32 {
        i32::from(self.exponent) + i32::from(self.digits) - 1
    }

    /// Adds `other`, or subtracts it when `negate_other` is set.
    fn add_signed(&self, other: &Number, negate_other: bool) -> Result<Number, NumberError> {
        let other_negative = other.negative != negate_other;
        if other.is_zero() {
            return Ok(self.clone());
        }
        if self.is_zero() {
            return Ok(Number {
                negative: other_negative,
                ..other.clone()
            });
        }
        // Align on the smaller exponent, where the sum's last digit is.
        let (high, high_negative, low, low_negative) = if self.exponent >= other.exponent {
            (self, self.negative, other, other_negative)
        } else {
            (other, other_negative, self, self.negative)
        };
        let shift = usize::try_from(i32::from(high.exponent) - i32::from(low.exponent))
            .map_err(|_| NumberError::Overflow)?;
        // If the shifted coefficient has 40 digits or more, the sum and the
        // difference both have at least 39 (the other operand is below
        // 10^38), which is too many. That bound also keeps `shift` inside
        // the table.
        if usize::from(high.digits) + shift > NUMBER_SIGNIFICANT_DIGITS_MAX + 1 {
            return Err(NumberError::Overflow);
        }
        // A shifted coefficient beyond u128 has 39 digits, and so does any
        // sum or difference with it; the same goes for a sum beyond u128.
        let aligned = high
            .coefficient()
            .checked_mul(POW10[shift])
            .ok_or(NumberError::Overflow)?;
        let low_coefficient = low.coefficient();
        let (negative, coefficient) = if high_negative == low_negative {
            let sum = aligned
                .checked_add(low_coefficient)
                .ok_or(NumberError::Overflow)?;
            (high_negative, sum)
        } else {
            match aligned.cmp(&low_coefficient) {
                Ordering::Greater => (high_negative, aligned - low_coefficient),
                Ordering::Less => (low_negative, low_coefficient - aligned),
                Ordering::Equal => return Ok(Number::zero()),
            }
        };
        let (coefficient, exponent) = strip_trailing_zeros(coefficient, i32::from(low.exponent));
        let digits = digit_count(coefficient);
        if usize::from(digits) > NUMBER_SIGNIFICANT_DIGITS_MAX {
            // DynamoDB's message for an inexact sum; see the module docs.
            return Err(NumberError::Overflow);
        }
        check_range(i128::from(exponent + i32::from(digits) - 1))?;
        let exponent = i16::try_from(exponent).map_err(|_| NumberError::Overflow)?;
        Ok(Number::from_canonical(
            negative,
            coefficient,
            exponent,
            digits,
        ))
    }

    /// Compares absolute values; neither may be zero.
    fn cmp_magnitude(&self, other: &Number) -> Ordering {
        self.leading_exponent()
            .cmp(&other.leading_exponent())
            .then_with(|| {
                // With equal leading exponents, scaling the shorter
                // coefficient to the longer one's length aligns the digits;
                // the result has at most 38 digits, so it fits.
                let (a, b) = (self.coefficient(), other.coefficient());
                match self.digits.cmp(&other.digits) {
                    Ordering::Less => (a * POW10[usize::from(other.digits - self.digits)]).cmp(&b),
                    Ordering::Greater => {
                        a.cmp(&(b * POW10[usize::from(self.digits - other.digits)]))
                    }
                    Ordering::Equal => a.cmp(&b),
                }
            })
    }

    /// Writes the `Display` text into `out`.
    fn write_text(&self, out: &mut TextBuffer) {
        if self.is_zero() {
            out.push(b'0');
            return;
        }
        if self.negative {
            out.push(b'-');
        }
        let digits = CoefficientDigits::of(self);
        let digits = digits.as_slice();
        let exponent = i32::from(self.exponent);
        if exponent >= 0 {
            out.extend(digits);
            out.zeros(exponent);
            return;
        }
        // How many of the digits are before the decimal point.
        let integer_digits = i32::from(self.digits) + exponent;
        match usize::try_from(integer_digits) {
            Ok(split) if split > 0 => {
                let (integer, fraction) = digits.split_at(split);
                out.extend(integer);
                out.push(b'.');
                out.extend(fraction);
            }
            _ => {
                out.extend(b"0.");
                out.zeros(-integer_digits);
                out.extend(digits);
            }
        }
    }
}

/// Checks the exponent of a number's leading digit against DynamoDB's range.
fn check_range(leading_exponent: i128) -> Result<(), NumberError> {
    if leading_exponent > i128::from(NUMBER_EXPONENT_MAX) {
        Err(NumberError::Overflow)
    } else if leading_exponent < i128::from(NUMBER_EXPONENT_MIN) {
        Err(NumberError::Underflow)
    } else {
        Ok(())
    }
}

/// Removes the trailing zeros of a nonzero coefficient into its exponent.
fn strip_trailing_zeros(mut coefficient: u128, mut exponent: i32) -> (u128, i32) {
    if coefficient == 0 {
        return (0, 0);
    }
    while coefficient.is_multiple_of(10) {
        coefficient /= 10;
        exponent += 1;
    }
    (coefficient, exponent)
}

/// How many decimal digits `c` has: 0 for 0, and 39 for anything of 39
/// digits or more.
fn digit_count(c: u128) -> u8 {
    // At most 39, so the conversion cannot fail.
    u8::try_from(POW10.partition_point(|&p| p <= c)).unwrap_or(u8::MAX)
}

/// Collects the significant digits of a number's text as it is scanned.
#[derive(Default)]
struct DigitAccumulator {
    /// The significant digits read so far, while there are at most 38.
    coefficient: u128,
    /// Digits from the first nonzero one to the last nonzero one.
    significant: usize,
    /// Zeros read since the last nonzero digit; they count only if another
    /// nonzero digit follows.
    pending_zeros: usize,
    /// The index, among all digits of the text, of the next digit.
    position: usize,
    /// The index of the first nonzero digit, once there is one.
    first_nonzero: Option<usize>,
}

impl DigitAccumulator {
    fn push(&mut self, digit: u8) {
        if digit == 0 {
            if self.first_nonzero.is_some() {
                self.pending_zeros += 1;
            }
        } else if self.first_nonzero.is_none() {
            self.first_nonzero = Some(self.position);
            self.significant = 1;
            self.coefficient = u128::from(digit);
        } else {
            self.significant += self.pending_zeros + 1;
            if self.significant <= NUMBER_SIGNIFICANT_DIGITS_MAX {
                // At least one digit was already read, so the shift is at
                // most 37 and the product has at most 38 digits.
                self.coefficient =
                    self.coefficient * POW10[self.pending_zeros + 1] + u128::from(digit);
            }
            self.pending_zeros = 0;
        }
        self.position += 1;
    }
}

/// The ASCII digits of a number's coefficient, on the stack.
struct CoefficientDigits {
    bytes: [u8; NUMBER_SIGNIFICANT_DIGITS_MAX],
    len: usize,
}

impl CoefficientDigits {
    fn of(n: &Number) -> CoefficientDigits {
        let len = usize::from(n.digits);
        let mut bytes = [b'0'; NUMBER_SIGNIFICANT_DIGITS_MAX];
        let mut pos = len;
        let mut c = n.coefficient();
        // Split off the low 19 digits with one u128 division, so that the
        // per-digit divisions below are cheap u64 ones.
        if c > u128::from(u64::MAX) {
            // Below 10^19, so it fits.
            let mut low = (c % TEN_POW_19) as u64;
            c /= TEN_POW_19;
            for _ in 0..19 {
                pos -= 1;
                bytes[pos] = b'0' + (low % 10) as u8;
                low /= 10;
            }
        }
        // At most u64::MAX after the split above.
        let mut high = c as u64;
        while high > 0 {
            pos -= 1;
            bytes[pos] = b'0' + (high % 10) as u8;
            high /= 10;
        }
        CoefficientDigits { bytes, len }
    }

    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// A fixed buffer long enough for any number's text.
struct TextBuffer {
    bytes: [u8; DISPLAY_BYTES_MAX],
    len: usize,
}

impl TextBuffer {
    fn new() -> TextBuffer {
        TextBuffer {
            bytes: [0; DISPLAY_BYTES_MAX],
            len: 0,
        }
    }

    fn push(&mut self, b: u8) {
        self.bytes[self.len] = b;
        self.len += 1;
    }

    fn extend(&mut self, s: &[u8]) {
        self.bytes[self.len..self.len + s.len()].copy_from_slice(s);
        self.len += s.len();
    }

    fn zeros(&mut self, count: i32) {
        let count = usize::try_from(count).unwrap_or(0);
        self.bytes[self.len..self.len + count].fill(b'0');
        self.len += count;
    }

    fn as_str(&self) -> Result<&str, fmt::Error> {
        std::str::from_utf8(&self.bytes[..self.len]).map_err(|_| fmt::Error)
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        fn rank(n: &Number) -> i8 {
            match (n.is_zero(), n.negative) {
                (true, _) => 0,
                (false, true) => -1,
                (false, false) => 1,
            }
        }
        rank(self).cmp(&rank(other)).then_with(|| {
            if self.is_zero() {
                Ordering::Equal
            } else if self.negative {
                self.cmp_magnitude(other).reverse()
            } else {
                self.cmp_magnitude(other)
            }
        })
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = TextBuffer::new();
        self.write_text(&mut text);
        f.write_str(text.as_str()?)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Number")
            .field(&format_args!("{self}"))
            .finish()
    }
}

impl FromStr for Number {
    type Err = NumberError;

    fn from_str(s: &str) -> Result<Number, NumberError> {
        Number::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Number {
        Number::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn text(s: &str) -> String {
        n(s).to_string()
    }

    fn key_hex(s: &str) -> String {
        let mut out = Vec::new();
        n(s).encode_key(&mut out);
        out.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn nines(count: usize) -> String {
        "9".repeat(count)
    }

    #[test]
    fn normalises_like_dynamodb() {
        // ScyllaDB's table of DynamoDB's normalised outputs, plus a few more.
        let cases = [
            ("1", "1"),
            ("123", "123"),
            ("-5", "-5"),
            ("0", "0"),
            ("10", "10"),
            ("100", "100"),
            ("1000", "1000"),
            ("007", "7"),
            ("001.23", "1.23"),
            ("00", "0"),
            ("+3", "3"),
            ("+0", "0"),
            ("+1.5", "1.5"),
            ("1.0", "1"),
            ("1.00", "1"),
            ("1.10", "1.1"),
            ("100.000", "100"),
            ("0.0", "0"),
            ("0.10", "0.1"),
            ("1e3", "1000"),
            ("1E3", "1000"),
            ("1e+3", "1000"),
            ("1E+3", "1000"),
            ("5e1", "50"),
            ("-3e2", "-300"),
            ("1.5e2", "150"),
            ("1.23e4", "12300"),
            ("1e-3", "0.001"),
            ("5e-1", "0.5"),
            ("123e-2", "1.23"),
            ("1.23e-1", "0.123"),
            ("1.0e3", "1000"),
            ("1.00e2", "100"),
            ("1.0e-1", "0.1"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("-0.000", "0"),
            ("0e5", "0"),
            ("0.0e3", "0"),
            ("0e-5", "0"),
            (".5", "0.5"),
            (".123", "0.123"),
            ("-.5", "-0.5"),
            ("5.", "5"),
            ("5.e3", "5000"),
            ("-5.E-1", "-0.5"),
            ("1e20", "100000000000000000000"),
            ("9.9e10", "99000000000"),
            ("1e-20", "0.00000000000000000001"),
            ("1E-5", "0.00001"),
            ("3.14159", "3.14159"),
            ("-273.15", "-273.15"),
            ("0.001", "0.001"),
            ("-17.4E37", "-174000000000000000000000000000000000000"),
            ("1e0000000000000000000000002", "100"),
        ];
        for (input, want) in cases {
            assert_eq!(text(input), want, "input {input:?}");
        }
        assert_eq!(text("1E+125"), format!("1{}", "0".repeat(125)));
        assert_eq!(text("-1E+125"), format!("-1{}", "0".repeat(125)));
        assert_eq!(text("1E-130"), format!("0.{}1", "0".repeat(129)));
        assert_eq!(
            text(&format!("-9.{}E-130", nines(37))),
            format!("-0.{}9{}", "0".repeat(129), nines(37))
        );
        assert_eq!(
            text(&format!("9.{}E+125", nines(37))),
            format!("{}{}", nines(38), "0".repeat(88))
        );
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for input in [
            "",
            " ",
            " 1",
            "1 ",
            "\t1",
            "1\n",
            "abc",
            "-dog",
            "1.2.3",
            "0x10",
            "1e",
            "1e+",
            "1e-",
            "e5",
            ".e5",
            ".",
            "+",
            "-",
            "+-1",
            "--1",
            "++1",
            "NaN",
            "-NaN",
            "Infinity",
            "-Infinity",
            "inf",
            "1,000",
            "1_000",
            "1e5.0",
            "1e5e5",
            "1.5.",
            "\u{0661}",
            "１",
            "1e9223372036854775808",
            "1e-9223372036854775809",
            "0e99999999999999999999",
            "1e999x",
            "12345678901234567890123456789012345678901234567890x",
        ] {
            assert_eq!(
                Number::parse(input),
                Err(NumberError::NotANumber),
                "input {input:?}"
            );
        }
    }

    #[test]
    fn checks_the_range() {
        for ok in [
            "1E-130",
            "-1E-130",
            "1e125",
            "-1e125",
            "9.99999999e125",
            "10e124",
            "0.1e126",
            "1000e-133",
        ] {
            assert!(Number::parse(ok).is_ok(), "{ok:?}");
        }
        assert!(Number::parse(&format!("9.{}E+125", nines(37))).is_ok());
        assert!(Number::parse(&format!("-9.{}E+125", nines(37))).is_ok());
        for (input, want) in [
            ("1E+126", NumberError::Overflow),
            ("-1E+126", NumberError::Overflow),
            ("11e125", NumberError::Overflow),
            ("10e125", NumberError::Overflow),
            ("1e99999999999", NumberError::Overflow),
            ("-1e99999999999", NumberError::Overflow),
            ("1e2147483647", NumberError::Overflow),
            ("1e2147483648", NumberError::Overflow),
            ("1e9223372036854775807", NumberError::Overflow),
            ("1E-131", NumberError::Underflow),
            ("-1E-131", NumberError::Underflow),
            ("0.9e-130", NumberError::Underflow),
            ("1e-99999999999", NumberError::Underflow),
            ("1e-2147483648", NumberError::Underflow),
            ("1e-9223372036854775808", NumberError::Underflow),
        ] {
            assert_eq!(Number::parse(input), Err(want), "input {input:?}");
        }
    }

    #[test]
    fn checks_the_range_of_zero_by_its_written_exponent() {
        assert_eq!(n("0e125"), Number::zero());
        assert_eq!(n("0e-130"), Number::zero());
        assert_eq!(n("0.000e128"), Number::zero());
        assert_eq!(Number::parse("0e126"), Err(NumberError::Overflow));
        assert_eq!(Number::parse("-0e126"), Err(NumberError::Overflow));
        assert_eq!(Number::parse("0e-131"), Err(NumberError::Underflow));
        assert_eq!(Number::parse("0e99999999999"), Err(NumberError::Overflow));
        let fraction = format!("0.{}", "0".repeat(130));
        assert_eq!(n(&fraction), Number::zero());
        let fraction = format!("0.{}", "0".repeat(131));
        assert_eq!(Number::parse(&fraction), Err(NumberError::Underflow));
        // Leading zeros of the integer part do not move the exponent.
        assert_eq!(n(&format!("{}e125", "0".repeat(300))), Number::zero());
    }

    #[test]
    fn counts_significant_digits() {
        let digits38 = "31415926535897932384626433832795028841";
        for ok in [
            digits38.to_string(),
            format!("000{digits38}000"),
            format!("-0.000{digits38}000"),
            format!("3.{}", &digits38[1..]),
            format!("314159265358979323846.{}", &digits38[21..]),
            format!("{digits38}e30"),
            format!("1{}", "0".repeat(100)),
            format!("0.{}1", "0".repeat(100)),
        ] {
            let number = n(&ok);
            assert!(number.significant_digits() <= 38, "{ok}");
        }
        assert_eq!(n(digits38).significant_digits(), 38);
        assert_eq!(n("100").significant_digits(), 1);
        assert_eq!(n("1010").significant_digits(), 3);
        assert_eq!(n("0.00120").significant_digits(), 2);
        assert_eq!(n("0").significant_digits(), 0);
        for bad in [
            "3.14159265358979323846264338327950288419",
            "314159265358979323846.264338327950288419",
            "314159265358979323846264338327950288419e30",
            "1234567890123456789012345678901234567890",
            "-1.23456789012345678901234567890123456789",
            "1000000000000000000000000000000000000001",
        ] {
            assert_eq!(Number::parse(bad), Err(NumberError::TooManyDigits), "{bad}");
        }
        // The magnitude is checked before the precision, and the syntax
        // before both.
        assert_eq!(
            Number::parse("1234567890123456789012345678901234567890e200"),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            Number::parse("1234567890123456789012345678901234567890e-200"),
            Err(NumberError::Underflow)
        );
    }

    #[test]
    fn error_messages_are_dynamodbs() {
        assert_eq!(
            NumberError::NotANumber.to_string(),
            "The parameter cannot be converted to a numeric value"
        );
        assert_eq!(
            NumberError::TooManyDigits.to_string(),
            "Attempting to store more than 38 significant digits in a Number"
        );
        assert_eq!(
            NumberError::Overflow.to_string(),
            "Number overflow. Attempting to store a number with magnitude larger than supported range"
        );
        assert_eq!(
            NumberError::Underflow.to_string(),
            "Number underflow. Attempting to store a number with magnitude smaller than supported range"
        );
        assert_eq!(
            NumberError::NotANumber.message_with_input("abc"),
            "The parameter cannot be converted to a numeric value: abc"
        );
        assert_eq!(
            NumberError::NotANumber.message_with_input(""),
            "The parameter cannot be converted to a numeric value: "
        );
        assert_eq!(
            NumberError::Overflow.message_with_input("1e126"),
            NumberError::Overflow.to_string()
        );
    }

    #[test]
    fn equality_and_hash_are_numeric() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        fn hash(n: &Number) -> u64 {
            let mut h = DefaultHasher::new();
            n.hash(&mut h);
            h.finish()
        }
        for group in [
            &["1", "1.0", "+1", "001", "1e0", "0.1e1", "10e-1", "1.000000"][..],
            &["1000", "1e3", "1E+3", "1000.0", "001000", "+1000"],
            &["0", "-0", "0.000", "0e10", "-0e-10", "+0"],
            &["-0.5", "-.5", "-5e-1", "-0.50"],
        ] {
            let first = n(group[0]);
            for s in group {
                assert_eq!(n(s), first, "{s}");
                assert_eq!(hash(&n(s)), hash(&first), "{s}");
            }
        }
        assert_ne!(n("1"), n("-1"));
        assert_ne!(n("1"), n("10"));
        assert_ne!(n("0.1"), n("1"));
    }

    #[test]
    fn orders_numerically() {
        let sorted = [
            format!("-9.{}E+125", nines(37)),
            "-1e125".to_string(),
            "-100".to_string(),
            "-12.5".to_string(),
            "-12".to_string(),
            "-1.0001".to_string(),
            "-1".to_string(),
            "-0.99".to_string(),
            "-1E-130".to_string(),
            "0".to_string(),
            "1E-130".to_string(),
            "0.001".to_string(),
            "0.0010000001".to_string(),
            "0.1".to_string(),
            "1".to_string(),
            "1.0000000000000000000000000000000000001".to_string(),
            "1.5".to_string(),
            "10".to_string(),
            "99".to_string(),
            "100".to_string(),
            "101".to_string(),
            "1e125".to_string(),
            format!("9.{}E+125", nines(37)),
        ];
        let numbers: Vec<Number> = sorted.iter().map(|s| n(s)).collect();
        for (i, a) in numbers.iter().enumerate() {
            for (j, b) in numbers.iter().enumerate() {
                assert_eq!(a.cmp(b), i.cmp(&j), "{a} vs {b}");
                assert_eq!(a.partial_cmp(b), Some(i.cmp(&j)));
            }
        }
    }

    #[test]
    fn adds_and_subtracts_exactly() {
        let cases = [
            ("1", "10000000000000000000000", "10000000000000000000001"),
            ("4", "3", "7"),
            ("5", "5", "10"),
            ("0.1", "0.2", "0.3"),
            ("-5", "3", "-2"),
            ("5", "-5", "0"),
            ("-5", "-5", "-10"),
            ("0", "-5", "-5"),
            ("-5", "0", "-5"),
            ("0", "0", "0"),
            ("9e125", "9e124", "9.9e125"),
            ("1e-130", "-2e-130", "-1e-130"),
            ("99999999999999999999999999999999999999", "1", "1e38"),
            ("1", "-1e-38", "0.99999999999999999999999999999999999999"),
            ("1e125", "-1e88", &format!("{}e88", nines(37))),
            ("1.5", "2.5", "4"),
            ("-0.000001", "1000000", "999999.999999"),
        ];
        for (a, b, want) in cases {
            assert_eq!(n(a).checked_add(&n(b)), Ok(n(want)), "{a} + {b}");
            assert_eq!(n(b).checked_add(&n(a)), Ok(n(want)), "{b} + {a}");
            let negated = n(&format!("-{b}").replace("--", ""));
            assert_eq!(n(a).checked_sub(&negated), Ok(n(want)), "{a} - -({b})");
        }
        assert_eq!(n("3").checked_sub(&n("5")), Ok(n("-2")));
        assert_eq!(n("5").checked_sub(&n("5")), Ok(Number::zero()));
        assert!(!n("5").checked_sub(&n("5")).is_ok_and(|z| z.is_negative()));
        assert_eq!(n("0").checked_sub(&n("5")), Ok(n("-5")));
        assert_eq!(n("0").checked_sub(&n("-5")), Ok(n("5")));
        assert_eq!(n("5").checked_sub(&n("0")), Ok(n("5")));
        assert_eq!(
            n("10000000000000000000000").checked_sub(&n("1")),
            Ok(n("9999999999999999999999"))
        );
    }

    #[test]
    fn refuses_results_dynamodb_cannot_store() {
        let cases = [
            ("9e125", "9e125", NumberError::Overflow),
            ("-9e125", "-9e125", NumberError::Overflow),
            ("1e50", "1", NumberError::Overflow),
            ("1e50", "-1", NumberError::Overflow),
            ("1", "-1e-39", NumberError::Overflow),
            ("1e125", "1e-130", NumberError::Overflow),
            (
                "99999999999999999999999999999999999999",
                "2",
                NumberError::Overflow,
            ),
            (
                "99999999999999999999999999999999999999",
                "99999999999999999999999999999999999999",
                NumberError::Overflow,
            ),
            ("2e-130", "-1.5e-130", NumberError::Underflow),
            ("-2e-130", "1.5e-130", NumberError::Underflow),
        ];
        for (a, b, want) in cases {
            assert_eq!(n(a).checked_add(&n(b)), Err(want), "{a} + {b}");
            assert_eq!(n(b).checked_add(&n(a)), Err(want), "{b} + {a}");
        }
        assert_eq!(
            n("9e125").checked_sub(&n("-9e125")),
            Err(NumberError::Overflow)
        );
        assert_eq!(n("1e50").checked_sub(&n("1")), Err(NumberError::Overflow));
    }

    #[test]
    fn converts_from_i64() {
        for v in [0, 1, -1, 10, -1000, 123456789, i64::MAX, i64::MIN] {
            let number = Number::from_i64(v);
            assert_eq!(number.to_string(), v.to_string());
            assert_eq!(number, n(&v.to_string()));
        }
        assert!(!Number::from_i64(0).is_negative());
        assert!(Number::from_i64(-3).is_negative());
        assert!(Number::from_i64(0).is_zero());
    }

    #[test]
    fn sizes_like_dynamodb() {
        // The conformance suite's capture against DynamoDB, literal by literal.
        let captured = [
            ("0", 1),
            ("1", 2),
            ("12", 2),
            ("123", 3),
            ("1234", 3),
            ("12345678901234567890123456789012345678", 20),
            ("0042", 2),
            ("100", 2),
            ("1010", 3),
            ("0.0000001", 2),
            ("1E125", 2),
            ("1E-100", 2),
            ("1.5", 3),
            ("15", 2),
            ("1.2", 3),
            ("1.200", 3),
            ("1.234", 4),
            ("3.14159", 5),
            ("123456", 4),
            ("100.5", 4),
            ("0.15", 2),
            ("-42", 3),
            ("-0", 1),
        ];
        for (literal, bytes) in captured {
            assert_eq!(n(literal).size_bytes(), bytes, "{literal}");
        }
        // Cases the capture does not cover, by the base-100 rule.
        assert_eq!(n("120").size_bytes(), 3);
        assert_eq!(n("12000").size_bytes(), 3);
        assert_eq!(n("0.015").size_bytes(), 3);
        assert_eq!(n("1E-130").size_bytes(), 2);
        assert_eq!(
            n("1.2345678901234567890123456789012345678").size_bytes(),
            21
        );
        assert_eq!(
            n("-1.2345678901234567890123456789012345678").size_bytes(),
            21
        );
        assert_eq!(
            n("-12345678901234567890123456789012345678").size_bytes(),
            21
        );
    }

    #[test]
    fn pins_the_key_encoding() {
        // A persisted format: these bytes must never change.
        let golden = [
            ("0", "02".to_string()),
            ("1", "03820b00".to_string()),
            ("-1", "017df4ff".to_string()),
            ("12.5", "03830d3300".to_string()),
            ("-12.5", "017cf2ccff".to_string()),
            ("100", "03840b00".to_string()),
            ("0.001", "037f0b00".to_string()),
            ("99", "03836400".to_string()),
            ("1234", "03850d2300".to_string()),
            ("1E-130", "03000b00".to_string()),
            ("-1E-130", "01fff4ff".to_string()),
            ("1E125", "03ff0b00".to_string()),
            (
                &format!("9.{}E+125", nines(37)),
                format!("03ff{}00", "64".repeat(19)),
            ),
            (
                &format!("-9.{}E+125", nines(37)),
                format!("0100{}ff", "9b".repeat(19)),
            ),
        ];
        for (number, hex) in golden {
            assert_eq!(key_hex(number), hex, "{number}");
        }
    }

    #[test]
    fn decodes_keys() {
        for s in [
            "0",
            "1",
            "-1",
            "12.5",
            "-0.001",
            "1E-130",
            "-1e125",
            "98765.4321",
        ] {
            let mut out = Vec::new();
            n(s).encode_key(&mut out);
            let len = out.len();
            out.extend_from_slice(&[0x00, 0xFF, 0x03]);
            assert_eq!(Number::decode_key(&out), Ok((n(s), len)), "{s}");
        }
    }

    #[test]
    fn refuses_corrupt_keys() {
        let cases: [(&[u8], NumberDecodeError); 12] = [
            (&[], NumberDecodeError::Truncated),
            (&[0x03], NumberDecodeError::Truncated),
            (&[0x03, 0x82], NumberDecodeError::Truncated),
            (&[0x03, 0x82, 0x0b], NumberDecodeError::Truncated),
            (&[0x01, 0x7d, 0xf4], NumberDecodeError::Truncated),
            (
                &[0x04, 0x82, 0x0b, 0x00],
                NumberDecodeError::UnknownTag(0x04),
            ),
            (&[0x00], NumberDecodeError::UnknownTag(0x00)),
            (
                &[0x03, 0x82, 0x65, 0x00],
                NumberDecodeError::InvalidDigitPair(0x65),
            ),
            (&[0x03, 0x82, 0x00], NumberDecodeError::NotCanonical),
            // A leading zero digit.
            (&[0x03, 0x82, 0x02, 0x00], NumberDecodeError::NotCanonical),
            // A trailing zero pair.
            (
                &[0x03, 0x82, 0x0b, 0x01, 0x00],
                NumberDecodeError::NotCanonical,
            ),
            (&[0x01, 0x7d, 0xfe, 0xff], NumberDecodeError::NotCanonical),
        ];
        for (bytes, want) in cases {
            assert_eq!(Number::decode_key(bytes), Err(want), "{bytes:02x?}");
        }
        let mut long = vec![0x03, 0x82];
        long.extend(std::iter::repeat_n(0x0c, 20));
        long.push(0x00);
        assert_eq!(
            Number::decode_key(&long),
            Err(NumberDecodeError::TooManyDigits)
        );
    }

    #[test]
    fn stays_small() {
        // Three machine words, so that `AttributeValue::N` costs no more
        // than a `String` does.
        assert_eq!(std::mem::size_of::<Number>(), 24);
        assert_eq!(std::mem::align_of::<Number>(), 8);
    }

    #[test]
    fn debug_shows_the_value() {
        assert_eq!(format!("{:?}", n("-1.50")), "Number(-1.5)");
    }
}
