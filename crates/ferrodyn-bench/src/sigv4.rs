//! A SigV4 signer for DynamoDB's JSON protocol, shaped for the generator's
//! hot path. (ferrodyn-api's `sigv4.rs` is the server's verifier; this is
//! the client's side.)
//!
//! Every request the generator sends is `POST /` with the same four signed
//! headers, so its canonical request always has this shape:
//!
//! ```text
//! POST
//! /
//!                                           <- empty query string
//! content-type:application/x-amz-json-1.0
//! host:<host>
//! x-amz-date:<YYYYMMDDTHHMMSSZ>
//! x-amz-target:<DynamoDB_20120810.Operation>
//!                                           <- end of the headers
//! content-type;host;x-amz-date;x-amz-target
//! <hex SHA-256 of the body>
//! ```
//!
//! Nothing is allocated per request: the canonical request is hashed as it
//! is produced, resuming from a saved hash state of its constant prefix; the
//! string to sign goes straight into an HMAC keyed once per day with the
//! signing key (cloned, not re-keyed, for each request); and the
//! `Authorization` value is written into the caller's buffer.

use bytes::{BufMut, BytesMut};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The only signing algorithm SigV4 defines.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// DynamoDB's signing name.
pub const SERVICE: &str = "dynamodb";
/// The media type of DynamoDB's JSON 1.0 protocol.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";
/// The headers every request signs, sorted and lowercased.
pub const SIGNED_HEADERS: &str = "content-type;host;x-amz-date;x-amz-target";
/// The length of an `x-amz-date` value, `YYYYMMDD'T'HHMMSS'Z'`.
pub const AMZ_DATE_LEN: usize = 16;

/// Signs DynamoDB requests for one access key, region and host.
#[derive(Clone)]
pub struct Signer {
    access_key: String,
    secret_key: String,
    region: String,
    /// SHA-256 state after `POST\n/\n\ncontent-type:..\nhost:<host>\nx-amz-date:`.
    prefix: Sha256,
    /// The day (`YYYYMMDD`) that `keyed` signs for; zeros before the first use.
    day: [u8; 8],
    /// HMAC keyed with the day's signing key.
    keyed: Option<HmacSha256>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret stays out of logs.
        f.debug_struct("Signer")
            .field("access_key", &self.access_key)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for requests sent with `Host: host`.
    pub fn new(access_key: &str, secret_key: &str, region: &str, host: &str) -> Signer {
        let mut prefix = Sha256::new();
        prefix.update(b"POST\n/\n\ncontent-type:");
        prefix.update(CONTENT_TYPE.as_bytes());
        prefix.update(b"\nhost:");
        prefix.update(host.as_bytes());
        prefix.update(b"\nx-amz-date:");
        Signer {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            region: region.to_owned(),
            prefix,
            day: [0; 8],
            keyed: None,
        }
    }

    /// Appends the `Authorization` value for a request with this date,
    /// `X-Amz-Target` and body to `out`.
    pub fn sign(
        &mut self,
        amz_date: &[u8; AMZ_DATE_LEN],
        target: &str,
        body: &[u8],
        out: &mut BytesMut,
    ) {
        let mut canonical = self.prefix.clone();
        canonical.update(amz_date);
        canonical.update(b"\nx-amz-target:");
        canonical.update(target.as_bytes());
        canonical.update(b"\n\n");
        canonical.update(SIGNED_HEADERS.as_bytes());
        canonical.update(b"\n");
        canonical.update(hex(&Sha256::digest(body).into()));
        let canonical_hash = hex(&canonical.finalize().into());

        let day = day_of(amz_date);
        let keyed = match &self.keyed {
            Some(k) if self.day == day => k,
            _ => {
                let key = signing_key(&self.secret_key, &day, &self.region, SERVICE);
                self.day = day;
                self.keyed.insert(keyed_hmac(&key))
            }
        };
        let signature = signature(keyed, amz_date, &self.region, SERVICE, &canonical_hash);

        out.put_slice(ALGORITHM.as_bytes());
        out.put_slice(b" Credential=");
        out.put_slice(self.access_key.as_bytes());
        out.put_u8(b'/');
        out.put_slice(&day);
        out.put_u8(b'/');
        out.put_slice(self.region.as_bytes());
        out.put_slice(b"/dynamodb/aws4_request, SignedHeaders=");
        out.put_slice(SIGNED_HEADERS.as_bytes());
        out.put_slice(b", Signature=");
        out.put_slice(&signature);
    }
}

fn day_of(amz_date: &[u8; AMZ_DATE_LEN]) -> [u8; 8] {
    let mut day = [0; 8];
    day.copy_from_slice(&amz_date[..8]);
    day
}

/// Derives the signing key of a secret for one day, region and service.
pub fn signing_key(secret_key: &str, day: &[u8; 8], region: &str, service: &str) -> [u8; 32] {
    let mut k_secret = Vec::with_capacity(4 + secret_key.len());
    k_secret.extend_from_slice(b"AWS4");
    k_secret.extend_from_slice(secret_key.as_bytes());
    let k_date = hmac(&k_secret, day);
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The lowercase hex signature of the string to sign built from the date,
/// the credential scope and the canonical request's hex hash.
fn signature(
    keyed: &HmacSha256,
    amz_date: &[u8; AMZ_DATE_LEN],
    region: &str,
    service: &str,
    canonical_hash: &[u8; 64],
) -> [u8; 64] {
    let mut mac = keyed.clone();
    mac.update(ALGORITHM.as_bytes());
    mac.update(b"\n");
    mac.update(amz_date);
    mac.update(b"\n");
    mac.update(&amz_date[..8]);
    mac.update(b"/");
    mac.update(region.as_bytes());
    mac.update(b"/");
    mac.update(service.as_bytes());
    mac.update(b"/aws4_request\n");
    mac.update(canonical_hash);
    hex(&mac.finalize().into_bytes().into())
}

fn keyed_hmac(key: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this never fails; `expect` would
    // say the same thing with a panic path in it.
    match <HmacSha256 as Mac>::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of any length"),
    }
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed_hmac(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0; 64];
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 0x0f)];
    }
    out
}

/// `x-amz-date` for a Unix time in seconds (UTC).
pub fn amz_date(unix_secs: i64) -> [u8; AMZ_DATE_LEN] {
    let t = time::OffsetDateTime::from_unix_timestamp(unix_secs)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let mut out = *b"00000000T000000Z";
    let mut put = |at: usize, width: usize, mut v: u32| {
        for i in (at..at + width).rev() {
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, u32::try_from(t.year()).unwrap_or(0));
    put(4, 2, u32::from(u8::from(t.month())));
    put(6, 2, u32::from(t.day()));
    put(9, 2, u32::from(t.hour()));
    put(11, 2, u32::from(t.minute()));
    put(13, 2, u32::from(t.second()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    const SUITE_DATE: &[u8; 16] = b"20150830T123600Z";

    /// The string to sign and the key derivation, checked against AWS's
    /// SigV4 test suite (`get-vanilla` and `post-vanilla`: credentials
    /// AKIDEXAMPLE, us-east-1, service `service`, 2015-08-30T12:36:00Z).
    #[test]
    fn aws_test_suite_vectors() {
        let key = signing_key(SUITE_SECRET, b"20150830", "us-east-1", "service");
        let keyed = keyed_hmac(&key);
        for (method, expected) in [
            (
                "GET",
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
            ),
            (
                "POST",
                "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
            ),
        ] {
            let canonical = format!(
                "{method}\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
                 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            );
            let hash = hex(&Sha256::digest(canonical.as_bytes()).into());
            if method == "GET" {
                assert_eq!(
                    &hash,
                    b"bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"
                );
            }
            let sig = signature(&keyed, SUITE_DATE, "us-east-1", "service", &hash);
            assert_eq!(std::str::from_utf8(&sig).unwrap(), expected, "{method}");
        }
    }

    #[test]
    fn amz_date_formats_utc() {
        assert_eq!(&amz_date(1_440_938_160), SUITE_DATE);
        assert_eq!(&amz_date(0), b"19700101T000000Z");
        assert_eq!(&amz_date(1_709_164_800), b"20240229T000000Z");
    }

    /// The whole request, as sent, is accepted by ferrodyn's own verifier;
    /// and the day's key is re-derived when the date changes.
    #[test]
    fn ferrodyn_verifier_accepts_the_signature() {
        use ferrodyn_api::sigv4::{ScopePolicy, SignedRequest, parse_authorization, verify};
        let host = "127.0.0.1:8000";
        let mut signer = Signer::new("AKID", "s3cr3t", "eu-west-1", host);
        let body = br#"{"TableName":"bench","Key":{"pk":{"S":"p0000000001"},"sk":{"N":"3"}}}"#;
        let target = "DynamoDB_20120810.GetItem";
        // The last second of one day, then the first of the next, with the
        // same signer; the verifier is given the same clock.
        for unix in [1_709_164_799, 1_709_164_800] {
            let date = amz_date(unix);
            let mut out = BytesMut::new();
            signer.sign(&date, target, body, &mut out);
            let headers: Vec<(&str, &[u8])> = vec![
                ("Host", host.as_bytes()),
                ("Content-Type", CONTENT_TYPE.as_bytes()),
                ("X-Amz-Date", &date),
                ("X-Amz-Target", target.as_bytes()),
                ("Authorization", &out),
            ];
            let req = SignedRequest {
                method: "POST",
                path: "/",
                query: "",
                headers: &headers,
                body,
            };
            let parsed = parse_authorization(&req, &ScopePolicy::default(), unix).expect("parses");
            assert_eq!(parsed.access_key_id, "AKID");
            assert_eq!(parsed.region, "eu-west-1");
            verify(&req, &parsed, "s3cr3t").expect("signature verifies");
            assert!(verify(&req, &parsed, "wrong").is_err());
        }
    }
}
