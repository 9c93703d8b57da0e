//! Content codings: decoding a request body sent with `Content-Encoding`,
//! and choosing and applying the coding of a response from
//! `Accept-Encoding`, both as DynamoDB does.
//!
//! **Requests.** DynamoDB accepts bodies compressed with `gzip` (several
//! concatenated members are one body) or `deflate` (one zlib stream, RFC
//! 1950). Anything else, and any body that does not decode in the coding it
//! names (not compressed at all, truncated, empty), is answered with HTTP
//! 500, InternalServerError: odd, but what AWS answers, so what ferrodyn
//! answers (docs/compatibility.md). Bytes after a complete gzip member that
//! do not start another member are ignored, as AWS ignores them. The
//! decoded body may be at most [`REQUEST_BODY_BYTES_MAX`]: decoding stops
//! as soon as it would be larger, so a small body that expands enormously
//! costs no more than the limit.
//!
//! **Responses.** A body larger than [`COMPRESS_BODY_BYTES_MIN`] is
//! compressed with gzip or deflate (zlib format) when `Accept-Encoding`
//! allows one of them; see [`negotiate`] for how the header is read.

use std::io::Read;

use ferrodyn_model::limits::REQUEST_BODY_BYTES_MAX;
use flate2::bufread::{GzDecoder, ZlibDecoder};

/// A response body is compressed only when it is larger than this (AWS's
/// threshold).
pub const COMPRESS_BODY_BYTES_MIN: usize = 4096;

/// The two codings DynamoDB speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    /// gzip (RFC 1952).
    Gzip,
    /// deflate, in the zlib format (RFC 1950).
    Deflate,
}

impl Coding {
    /// The token in `Content-Encoding`.
    pub fn token(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
        }
    }
}

/// Why a request body could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A coding DynamoDB does not accept.
    #[error("unsupported content encoding")]
    UnsupportedCoding,
    /// The body is not valid in the coding it names.
    #[error("the body does not decode in its content encoding")]
    Corrupt,
    /// The decoded body would be larger than the request limit.
    #[error("the decoded body exceeds the request size limit")]
    TooLarge,
}

/// Whether a `Content-Encoding` header value names a coding to decode
/// (anything but absent, empty or `identity`).
pub fn is_encoded(content_encoding: Option<&str>) -> bool {
    !matches!(content_encoding.map(str::trim), None | Some(""))
        && !content_encoding.is_some_and(|c| c.trim().eq_ignore_ascii_case("identity"))
}

/// Decodes a request body sent with `content_encoding`.
pub fn decode_request(content_encoding: Option<&str>, body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    if !is_encoded(content_encoding) {
        return Ok(body.to_vec());
    }
    let coding = content_encoding.unwrap_or("").trim();
    if coding.eq_ignore_ascii_case("gzip") {
        decode_gzip(body)
    } else if coding.eq_ignore_ascii_case("deflate") {
        decode_zlib(body)
    } else {
        Err(DecodeError::UnsupportedCoding)
    }
}

/// The gzip magic number, which starts every member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fn decode_gzip(body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let mut rest = body;
    if !rest.starts_with(&GZIP_MAGIC) {
        return Err(DecodeError::Corrupt);
    }
    while rest.starts_with(&GZIP_MAGIC) {
        // A buffered decoder over the slice consumes exactly one member,
        // leaving what follows it (maybe another member) in `rest`.
        let mut decoder = GzDecoder::new(rest);
        read_bounded(&mut decoder, &mut out)?;
        rest = decoder.into_inner();
    }
    Ok(out)
}

fn decode_zlib(body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    let mut decoder = ZlibDecoder::new(body);
    read_bounded(&mut decoder, &mut out)?;
    // One stream only: AWS refuses a second one after it.
    if decoder.total_in() != body.len() as u64 {
        return Err(DecodeError::Corrupt);
    }
    Ok(out)
}

/// Appends what `reader` yields to `out`, failing once `out` would pass
/// the request limit.
fn read_bounded(reader: &mut impl Read, out: &mut Vec<u8>) -> Result<(), DecodeError> {
    let room = (REQUEST_BODY_BYTES_MAX + 1).saturating_sub(out.len()) as u64;
    let mut limited = reader.take(room);
    limited.read_to_end(out).map_err(|_| DecodeError::Corrupt)?;
    if out.len() > REQUEST_BODY_BYTES_MAX {
        return Err(DecodeError::TooLarge);
    }
    Ok(())
}

/// The coding a response should use, given the request's first
/// `Accept-Encoding` header, as DynamoDB chooses it:
///
/// * tokens are comma-separated, case-insensitive, with optional
///   parameters after `;` (spaces around `;` and `=` allowed); a token that
///   is not a plain coding name (quoted, two words, `gzip:q=1`) is ignored,
///   as are codings other than gzip, deflate and `*`; `identity` is
///   ignored;
/// * `q` is the first `q` parameter: default 1, above 1 counts as 1,
///   negative or `0` (`0.`, `0.000`) excludes, unparsable counts as 1;
/// * the highest `q` wins, ties going to the coding listed first; a coding
///   listed several times is acceptable if any of its entries is;
/// * `*` stands for gzip and deflate when they are not listed themselves,
///   after the listed codings, gzip first.
pub fn negotiate(accept_encoding: Option<&str>) -> Option<Coding> {
    let header = accept_encoding?;
    // (q, position) of each coding; the best entry of each is kept.
    let mut listed: [Option<(f64, usize)>; 2] = [None, None];
    let mut star: Option<f64> = None;
    for (position, token) in header.split(',').enumerate() {
        let mut parts = token.split(';');
        let name = parts.next().unwrap_or("").trim();
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
        {
            continue;
        }
        let q = parts
            .find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| parse_q(v.trim()))
            })
            .unwrap_or(1.0);
        let slot = if name.eq_ignore_ascii_case("gzip") {
            Some(0)
        } else if name.eq_ignore_ascii_case("deflate") {
            Some(1)
        } else if name == "*" {
            star = Some(star.map_or(q, |s: f64| s.max(q)));
            None
        } else {
            None
        };
        if let Some(i) = slot {
            listed[i] = Some(match listed[i] {
                // The coding's best entry decides; its first position stays.
                Some((best, first)) => (best.max(q), first),
                None => (q, position),
            });
        }
    }
    let mut best: Option<(f64, usize, Coding)> = None;
    let mut consider = |q: f64, position: usize, coding: Coding| {
        if q > 0.0 && best.is_none_or(|(bq, bp, _)| q > bq || (q == bq && position < bp)) {
            best = Some((q, position, coding));
        }
    };
    for (i, coding) in [Coding::Gzip, Coding::Deflate].into_iter().enumerate() {
        match (listed[i], star) {
            (Some((q, position)), _) => consider(q, position, coding),
            // After every listed token, gzip before deflate.
            (None, Some(q)) => consider(q, usize::MAX - 2 + i, coding),
            (None, None) => {}
        }
    }
    best.map(|(_, _, coding)| coding)
}

/// A `q` value: clamped to [0, 1]; unparsable counts as 1.
fn parse_q(v: &str) -> f64 {
    match v.parse::<f64>() {
        Ok(q) if q.is_nan() => 1.0,
        Ok(q) => q.clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// Compresses `body` with `coding`; `None` if compression failed (the body
/// is then sent as it is).
pub fn encode_response(coding: Coding, body: &[u8]) -> Option<Vec<u8>> {
    use std::io::Write;
    let level = flate2::Compression::fast();
    match coding {
        Coding::Gzip => {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), level);
            enc.write_all(body).ok()?;
            enc.finish().ok()
        }
        Coding::Deflate => {
            let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), level);
            enc.write_all(body).ok()?;
            enc.finish().ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).expect("gzip");
        e.finish().expect("gzip")
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).expect("zlib");
        e.finish().expect("zlib")
    }

    /// The Accept-Encoding table that ScyllaDB's Alternator suite checks
    /// against DynamoDB (test/alternator/test_compressed_response.py).
    #[test]
    fn accept_encoding_as_dynamodb_reads_it() {
        use Coding::{Deflate, Gzip};
        let cases: &[(&str, Option<Coding>)] = &[
            ("identity", None),
            ("", None),
            ("gzip", Some(Gzip)),
            ("deflate", Some(Deflate)),
            ("gzip, deflate", Some(Gzip)),
            ("br, identity, deflate, gzip", Some(Deflate)),
            ("GZIP, identity", Some(Gzip)),
            ("dog, gzip ,, cat", Some(Gzip)),
            ("gzip;q=0.8, deflate;q=0.5", Some(Gzip)),
            (
                "br, gzip;q=0, deflate; q = 0.5 , identity;q=0",
                Some(Deflate),
            ),
            ("*", Some(Gzip)),
            ("*, deflate;q=0.5", Some(Gzip)),
            ("*, deflate", Some(Deflate)),
            ("*, identity", Some(Gzip)),
            ("*, gzip;q=0.5", Some(Deflate)),
            ("gzip ;q=0", None),
            ("identity;q=0", None),
            ("*;q=0", None),
            ("*;q=0.5,identity", Some(Gzip)),
            ("gzip;q=0.5,identity;q=0.8", Some(Gzip)),
            ("br;q=0.8,identity;q=0.5,*;q=0", None),
            ("\"gzip\"", None),
            ("gzip br", None),
            ("gzip:q=1", None),
            ("deflate;q=0.5, gzip;q=31", Some(Gzip)),
            ("gzip;q=31,deflate;q=51", Some(Gzip)),
            ("deflate;q=0.5, gzip;q=0.2", Some(Deflate)),
            ("deflate;q=0.5, gzip;q=1;q=0.2", Some(Gzip)),
            ("deflate;q=0.5,gzip;q=0.", Some(Deflate)),
            ("deflate;q=0.5,gzip;q=0.x", Some(Gzip)),
            ("deflate;q=-0.5,gzip;q=0.2", Some(Gzip)),
            ("gzip;nq=1;q=0 ", None),
            ("gzip;q=0, gzip;q=1, gzip;q=0", Some(Gzip)),
            ("br,identity;q=0.5,gzip;q=0.0001", Some(Gzip)),
            ("br", None),
            ("zstd", None),
            ("x-gzip", None),
        ];
        for (header, want) in cases {
            assert_eq!(
                negotiate(Some(header)),
                *want,
                "Accept-Encoding: {header:?}"
            );
        }
        assert_eq!(negotiate(None), None);
    }

    #[test]
    fn gzip_members_concatenate_and_trailing_bytes_are_ignored() {
        let mut two = gzip(b"{\"a\":");
        two.extend(gzip(b"1}"));
        assert_eq!(
            decode_request(Some("gzip"), &two),
            Ok(b"{\"a\":1}".to_vec())
        );
        let mut junk = gzip(b"{}");
        junk.extend_from_slice(b"junk");
        assert_eq!(decode_request(Some("gzip"), &junk), Ok(b"{}".to_vec()));
        assert_eq!(
            decode_request(Some("GZIP"), &gzip(b"{}")),
            Ok(b"{}".to_vec())
        );
    }

    #[test]
    fn bodies_that_do_not_decode_are_refused() {
        let whole = gzip(b"{\"TableName\":\"t\"}");
        for (coding, body) in [
            ("gzip", b"{}".to_vec()),
            ("gzip", whole[..whole.len() - 1].to_vec()),
            ("gzip", Vec::new()),
            ("deflate", Vec::new()),
            ("deflate", b"{}".to_vec()),
            ("deflate", whole.clone()),
        ] {
            assert_eq!(
                decode_request(Some(coding), &body),
                Err(DecodeError::Corrupt),
                "{coding} {body:?}"
            );
        }
        let mut two = zlib(b"{");
        two.extend(zlib(b"}"));
        assert_eq!(
            decode_request(Some("deflate"), &two),
            Err(DecodeError::Corrupt)
        );
        assert_eq!(
            decode_request(Some("deflate"), &zlib(b"{}")),
            Ok(b"{}".to_vec())
        );
        assert_eq!(
            decode_request(Some("garbage"), b"{}"),
            Err(DecodeError::UnsupportedCoding)
        );
        assert_eq!(decode_request(Some("identity"), b"{}"), Ok(b"{}".to_vec()));
        assert_eq!(decode_request(None, b"{}"), Ok(b"{}".to_vec()));
    }

    #[test]
    fn decoding_stops_at_the_request_limit() {
        let zeros = vec![b' '; REQUEST_BODY_BYTES_MAX + 1];
        let small = gzip(&zeros);
        assert!(small.len() < 100_000, "{}", small.len());
        assert_eq!(
            decode_request(Some("gzip"), &small),
            Err(DecodeError::TooLarge)
        );
        // Two members that only together pass the limit.
        let half = vec![b' '; REQUEST_BODY_BYTES_MAX / 2 + 1];
        let mut two = gzip(&half);
        two.extend(gzip(&half));
        assert_eq!(
            decode_request(Some("gzip"), &two),
            Err(DecodeError::TooLarge)
        );
        let exact = vec![b' '; REQUEST_BODY_BYTES_MAX];
        assert_eq!(
            decode_request(Some("deflate"), &zlib(&exact)).map(|v| v.len()),
            Ok(exact.len())
        );
    }

    proptest::proptest! {
        /// Any body in any coding is decoded or refused, within the limit.
        #[test]
        fn arbitrary_bodies_decode_or_are_refused(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512),
            coding in proptest::sample::select(vec!["gzip", "deflate", "identity", "x"]),
        ) {
            match decode_request(Some(coding), &body) {
                Ok(out) => proptest::prop_assert!(out.len() <= REQUEST_BODY_BYTES_MAX),
                Err(_) => proptest::prop_assert!(coding != "identity"),
            }
            // What gzip and zlib encode decodes to itself.
            proptest::prop_assert_eq!(decode_request(Some("gzip"), &gzip(&body)), Ok(body.clone()));
            proptest::prop_assert_eq!(decode_request(Some("deflate"), &zlib(&body)), Ok(body.clone()));
        }

        /// Any Accept-Encoding header is read without panicking.
        #[test]
        fn arbitrary_accept_encoding_headers(header in ".{0,64}") {
            let _ = negotiate(Some(&header));
        }
    }

    #[test]
    fn responses_round_trip() {
        let body = vec![b'x'; 10_000];
        let g = encode_response(Coding::Gzip, &body).expect("gzip");
        assert_eq!(decode_request(Some("gzip"), &g), Ok(body.clone()));
        let d = encode_response(Coding::Deflate, &body).expect("deflate");
        assert_eq!(decode_request(Some("deflate"), &d), Ok(body));
    }
}
