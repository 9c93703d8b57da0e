#![no_main]
//! Request-body decoding and Accept-Encoding negotiation: any input is
//! decoded or refused, never panics, and never yields more than the
//! request limit.

use ferrodyn_model::limits::REQUEST_BODY_BYTES_MAX;
use libfuzzer_sys::fuzz_target;

// The module itself rather than the crate: `ferrodyn-api` depends on the
// storage engine, and building RocksDB under the sanitizer takes a quarter
// of an hour; this file depends only on flate2 and the model's limits.
#[path = "../../src/encoding.rs"]
#[allow(dead_code)]
mod encoding;

use encoding::{DecodeError, decode_request, negotiate};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let coding = match selector % 5 {
        0 => Some("gzip"),
        1 => Some("deflate"),
        2 => Some("identity"),
        3 => None,
        _ => Some("br"),
    };
    match decode_request(coding, body) {
        Ok(decoded) => assert!(decoded.len() <= REQUEST_BODY_BYTES_MAX),
        Err(DecodeError::UnsupportedCoding) => assert_eq!(coding, Some("br")),
        Err(DecodeError::Corrupt | DecodeError::TooLarge) => {
            assert!(matches!(coding, Some("gzip" | "deflate")))
        }
    }
    if let Ok(header) = std::str::from_utf8(body) {
        let _ = negotiate(Some(header));
    }
});
