//! AWS Signature Version 4 verification for the DynamoDB JSON protocol.
//!
//! The module is deliberately free of HTTP-framework types: the HTTP layer
//! copies what it received into a [`SignedRequest`] and calls two functions.
//!
//! 1. [`parse_authorization`] reads the `Authorization` header and checks
//!    everything that needs no secret: the shape of the header, the request
//!    date and the allowed clock skew, the signed-header rules and the
//!    credential scope. It yields the access key id and region, so that the
//!    caller can look up the secret (and the account) for that key; an unknown
//!    key is the caller's [`SigV4Error::UnrecognizedClient`].
//! 2. [`verify`] rebuilds the canonical request, derives the signing key from
//!    the secret and compares signatures in constant time.
//!
//! The checks run in the order DynamoDB runs them, so that a request with
//! several faults gets the same error as from AWS: a missing or foreign
//! `Authorization` header, missing parameters or date, a malformed date, an
//! expired (or future) date, `host` not signed, an unsigned session token, an
//! unsupported algorithm, a malformed credential, a wrong credential scope,
//! then (the caller's) an unknown access key, and last a wrong signature.
//!
//! Error messages reproduce the texts DynamoDB sends, as recorded in public
//! reports of real DynamoDB responses; every error is sent with HTTP 400.
//! The one rule of this server's own is that an `X-Amz-Security-Token`
//! header must be signed, since AWS documents no message for it.

use std::fmt::Write as _;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// The only signing algorithm SigV4 defines.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The signing name DynamoDB clients put in their credential scope.
pub const DYNAMODB_SERVICE: &str = "dynamodb";

/// The terminator every SigV4 credential scope must end with.
pub const SCOPE_TERMINATOR: &str = "aws4_request";

/// How far, in seconds, a request's date may lie from the server's clock.
///
/// AWS allows 15 minutes either way; the error messages name this limit.
pub const MAX_CLOCK_SKEW_SECS: i64 = 15 * 60;

/// The text of the error for a wrong signature; AWS appends the canonical
/// request and the string to sign to it (see [`SigV4Error::SignatureMismatch`]).
pub const SIGNATURE_MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// A request as received, in the form the verifier needs.
///
/// Everything is raw: the path and query exactly as they appeared in the
/// request target, the header values as bytes. Under HTTP/2 there is no
/// `Host` header, so the adapter must pass the `:authority` as a `host`
/// header, since clients sign it under that name.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The HTTP method, e.g. `POST`.
    pub method: &'a str,
    /// The path of the request target, still percent-encoded as sent.
    pub path: &'a str,
    /// The query string without the leading `?`; empty if there is none.
    pub query: &'a str,
    /// Every header in the order received; names in any case, and a name may
    /// repeat.
    pub headers: &'a [(&'a str, &'a [u8])],
    /// The whole request body.
    pub body: &'a [u8],
}

/// What a credential scope must name to be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopePolicy {
    /// The service (signing name) the scope must name: `dynamodb`.
    pub service: String,
    /// The regions the scope may name. `None` accepts any region name of 1 to
    /// 64 ASCII letters, digits, `-` and `_`, since local DynamoDB setups use
    /// names such as `localhost` that are not AWS regions.
    pub regions: Option<Vec<String>>,
}

impl Default for ScopePolicy {
    fn default() -> Self {
        Self {
            service: DYNAMODB_SERVICE.to_owned(),
            regions: None,
        }
    }
}

impl ScopePolicy {
    fn accepts_region(&self, region: &str) -> bool {
        match &self.regions {
            Some(regions) => regions.iter().any(|r| r == region),
            None => {
                (1..=64).contains(&region.len())
                    && region
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
        }
    }
}

/// The parts of a well-formed `Authorization` header, with the request date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuth {
    /// The access key id from the credential, for the caller's key lookup.
    pub access_key_id: String,
    /// The date of the credential scope, `YYYYMMDD`.
    pub date: String,
    /// The region of the credential scope.
    pub region: String,
    /// The service of the credential scope.
    pub service: String,
    /// The signed header names, lowercased, in the order the client gave.
    pub signed_headers: Vec<String>,
    /// The signature the client sent (lowercase hex from any real signer).
    pub signature: String,
    /// The request date as sent, ISO 8601 basic format: `YYYYMMDD'T'HHMMSS'Z'`.
    pub amz_date: String,
    /// The request date as Unix seconds.
    pub timestamp: i64,
    /// The `X-Amz-Security-Token` header, when the client sent session
    /// credentials; its content is the caller's to judge.
    pub session_token: Option<String>,
}

/// Why a request's signature is refused.
///
/// `Display` gives the message DynamoDB sends, [`SigV4Error::type_name`] the
/// `__type` short name, and every variant is sent with HTTP 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// There is no `Authorization` header, or it is not a SigV4 one.
    #[error("Request is missing Authentication Token")]
    MissingAuthenticationToken,
    /// The `Authorization` header lacks a part, is malformed, or names an
    /// unsupported algorithm; the message is complete as AWS words it.
    #[error("{0}")]
    IncompleteSignature(String),
    /// The request date is more than 15 minutes before the server's clock.
    #[error(
        "Signature expired: {request} is now earlier than {earliest} ({now} - {} min.)",
        MAX_CLOCK_SKEW_SECS / 60
    )]
    SignatureExpired {
        /// The request date.
        request: String,
        /// The server's time less the allowed skew.
        earliest: String,
        /// The server's time.
        now: String,
    },
    /// The request date is more than 15 minutes after the server's clock.
    #[error(
        "Signature not yet current: {request} is still later than {latest} ({now} + {} min.)",
        MAX_CLOCK_SKEW_SECS / 60
    )]
    SignatureNotYetCurrent {
        /// The request date.
        request: String,
        /// The server's time plus the allowed skew.
        latest: String,
        /// The server's time.
        now: String,
    },
    /// A header that must be signed is missing from `SignedHeaders`; the
    /// message is complete.
    #[error("{0}")]
    UnsignedHeader(String),
    /// The credential scope names the wrong region, service, terminator or
    /// date; the message lists every fault found.
    #[error("{0}")]
    InvalidCredentialScope(String),
    /// The signature does not match the one computed with the secret.
    ///
    /// Like AWS, the message shows the client the canonical request and the
    /// string to sign, so that it can find its mistake; the canonical request
    /// holds the signed headers, session token included, so log it with care.
    #[error(
        "{SIGNATURE_MISMATCH_MESSAGE}\n\nThe Canonical String for this request should have been\n'{canonical_request}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
    )]
    SignatureMismatch {
        /// The canonical request the server computed.
        canonical_request: String,
        /// The string to sign the server computed.
        string_to_sign: String,
    },
    /// The access key id is unknown; the caller returns this after its lookup.
    #[error("The security token included in the request is invalid.")]
    UnrecognizedClient,
    /// The session token was refused; the caller returns this if it checks
    /// tokens. AWS words it without the final period.
    #[error("The security token included in the request is invalid")]
    InvalidSecurityToken,
}

impl SigV4Error {
    /// The `__type` short name DynamoDB gives this error.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::IncompleteSignature(_) => "IncompleteSignatureException",
            Self::SignatureExpired { .. }
            | Self::SignatureNotYetCurrent { .. }
            | Self::UnsignedHeader(_)
            | Self::InvalidCredentialScope(_)
            | Self::SignatureMismatch { .. } => "InvalidSignatureException",
            Self::UnrecognizedClient | Self::InvalidSecurityToken => "UnrecognizedClientException",
        }
    }

    /// The `__type` with the namespace DynamoDB puts before it, e.g.
    /// `com.amazon.coral.service#UnrecognizedClientException`.
    pub fn qualified_type_name(&self) -> String {
        format!("com.amazon.coral.service#{}", self.type_name())
    }

    /// The HTTP status: DynamoDB answers every authentication error with 400.
    pub fn status_code(&self) -> u16 {
        400
    }
}

/// Reads and checks the `Authorization` header of `req`.
///
/// `now_unix_secs` is the server's clock, injected so that tests need not
/// wait; the clock check belongs here rather than in [`verify`] because AWS
/// reports a stale date before it looks at the credential or the key.
pub fn parse_authorization(
    req: &SignedRequest<'_>,
    policy: &ScopePolicy,
    now_unix_secs: i64,
) -> Result<ParsedAuth, SigV4Error> {
    let Some(raw) = first_header(req, "authorization") else {
        return Err(SigV4Error::MissingAuthenticationToken);
    };
    let auth = String::from_utf8_lossy(raw);
    let trimmed = auth.trim();
    // AWS treats any scheme but its own (a bearer token, `AWS4` alone) as no
    // signature at all; the `AWS4-` prefix is what marks a SigV4 attempt.
    if !trimmed.starts_with("AWS4-") {
        return Err(SigV4Error::MissingAuthenticationToken);
    }
    let (algorithm, rest) = match trimmed.find(|c: char| c.is_ascii_whitespace()) {
        Some(at) => trimmed.split_at(at),
        None => (trimmed, ""),
    };

    // Parameters may be separated by commas, whitespace or both, as AWS
    // accepts all three; a later duplicate replaces an earlier one.
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for token in rest
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|t| !t.is_empty())
    {
        let Some((key, value)) = token.split_once('=') else {
            return Err(SigV4Error::IncompleteSignature(format!(
                "'{token}' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
            )));
        };
        match key {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => {}
        }
    }
    let credential = credential.filter(|v| !v.is_empty());
    let signature = signature.filter(|v| !v.is_empty());
    let date_header = first_header(req, "x-amz-date").or_else(|| first_header(req, "date"));

    let mut missing = String::new();
    if credential.is_none() {
        missing.push_str("Authorization header requires 'Credential' parameter. ");
    }
    if signature.is_none() {
        missing.push_str("Authorization header requires 'Signature' parameter. ");
    }
    if signed_headers.is_none() {
        missing.push_str("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if date_header.is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    let (Some(credential), Some(signature), Some(signed_headers), Some(date_header)) =
        (credential, signature, signed_headers, date_header)
    else {
        return Err(SigV4Error::IncompleteSignature(format!(
            "{missing}Authorization={auth}"
        )));
    };

    let amz_date = String::from_utf8_lossy(date_header).trim().to_owned();
    let Some(timestamp) = parse_iso8601_basic(&amz_date) else {
        return Err(SigV4Error::IncompleteSignature(format!(
            "Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"
        )));
    };
    check_clock_skew(&amz_date, timestamp, now_unix_secs)?;

    let signed_headers: Vec<String> = signed_headers
        .split(';')
        .map(|name| name.to_ascii_lowercase())
        .collect();
    if !signed_headers
        .iter()
        .any(|h| h == "host" || h == ":authority")
    {
        return Err(SigV4Error::UnsignedHeader(
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".to_owned(),
        ));
    }
    let session_token = first_header(req, "x-amz-security-token")
        .map(|v| String::from_utf8_lossy(v).trim().to_owned());

    if algorithm != ALGORITHM {
        return Err(SigV4Error::IncompleteSignature(format!(
            "Unsupported AWS 'algorithm': '{algorithm}' (only {ALGORITHM} for now). "
        )));
    }

    // AWS ignores trailing slashes when it counts the credential's elements.
    let parts: Vec<&str> = credential.trim_end_matches('/').split('/').collect();
    let [access_key_id, date, region, service, terminator] = parts.as_slice() else {
        return Err(SigV4Error::IncompleteSignature(format!(
            "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
        )));
    };

    let mut faults = String::new();
    if !policy.accepts_region(region) {
        let _ = write!(
            faults,
            "Credential should be scoped to a valid region, not '{region}'. "
        );
    }
    if *service != policy.service {
        let _ = write!(
            faults,
            "Credential should be scoped to correct service: '{}'. ",
            policy.service
        );
    }
    if *terminator != SCOPE_TERMINATOR {
        let _ = write!(
            faults,
            "Credential should be scoped with a valid terminator: '{SCOPE_TERMINATOR}', not '{terminator}'. "
        );
    }
    // The date was validated as 16 ASCII characters, so its first 8 exist.
    let request_day = amz_date.get(..8).unwrap_or_default();
    if *date != request_day {
        let _ = write!(
            faults,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{date}' != '{request_day}', from '{amz_date}'."
        );
    }
    if !faults.is_empty() {
        return Err(SigV4Error::InvalidCredentialScope(faults));
    }

    // Every `x-amz-*` header the request carries must be signed: an
    // unsigned `X-Amz-Target` would let anyone who saw a request replay it
    // as another operation, an unsigned session token be swapped.
    if let Some((name, _)) = req.headers.iter().find(|(name, _)| {
        name.len() > AMZ_HEADER_PREFIX.len()
            && name[..AMZ_HEADER_PREFIX.len()].eq_ignore_ascii_case(AMZ_HEADER_PREFIX)
            && !signed_headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }) {
        return Err(SigV4Error::UnsignedHeader(format!(
            "'{}' must be a 'SignedHeader' in the AWS Authorization.",
            title_case(name)
        )));
    }

    Ok(ParsedAuth {
        access_key_id: (*access_key_id).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        signed_headers,
        signature: signature.to_owned(),
        amz_date,
        timestamp,
        session_token,
    })
}

/// Headers with this prefix must be covered by the signature.
const AMZ_HEADER_PREFIX: &str = "x-amz-";

/// A header name as AWS writes it in messages: `x-amz-target` ->
/// `X-Amz-Target`.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut c = word.chars();
            match c.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Checks the signature of `req` against `secret_access_key`.
///
/// `parsed` must come from [`parse_authorization`] on the same request.
pub fn verify(
    req: &SignedRequest<'_>,
    parsed: &ParsedAuth,
    secret_access_key: &str,
) -> Result<(), SigV4Error> {
    let payload_hash = hex::encode(Sha256::digest(req.body));
    let canonical = canonical_request(req, &parsed.signed_headers, &payload_hash, true);
    let scope = format!(
        "{}/{}/{}/{SCOPE_TERMINATOR}",
        parsed.date, parsed.region, parsed.service
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{scope}\n{}",
        parsed.amz_date,
        hex::encode(Sha256::digest(&canonical))
    );
    let mismatch = || SigV4Error::SignatureMismatch {
        canonical_request: String::from_utf8_lossy(&canonical).into_owned(),
        string_to_sign: string_to_sign.clone(),
    };

    // A failure to compute the signature is treated as a mismatch, so that
    // no path through this function accepts a request it could not check.
    let expected = signature_hex(
        secret_access_key,
        &parsed.date,
        &parsed.region,
        &parsed.service,
        &string_to_sign,
    )
    .ok_or_else(mismatch)?;
    let matches: bool = expected
        .as_bytes()
        .ct_eq(parsed.signature.as_bytes())
        .into();
    if !matches {
        return Err(mismatch());
    }

    // The body hash in the canonical request is computed from the body, so a
    // declared hash that disagrees with the body means the body was altered
    // after signing (or the client lied about it): refuse it either way.
    if let Some(declared) = first_header(req, "x-amz-content-sha256")
        && !trim_spaces(declared).eq_ignore_ascii_case(payload_hash.as_bytes())
    {
        return Err(mismatch());
    }
    Ok(())
}

/// Computes the lowercase hex signature of `string_to_sign` with the key
/// derived from the secret and the credential scope.
fn signature_hex(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
    string_to_sign: &str,
) -> Option<String> {
    let k_secret = format!("AWS4{secret}");
    let k_date = hmac_sha256(k_secret.as_bytes(), date.as_bytes())?;
    let k_region = hmac_sha256(&k_date, region.as_bytes())?;
    let k_service = hmac_sha256(&k_region, service.as_bytes())?;
    let k_signing = hmac_sha256(&k_service, SCOPE_TERMINATOR.as_bytes())?;
    let signature = hmac_sha256(&k_signing, string_to_sign.as_bytes())?;
    Some(hex::encode(signature))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Option<[u8; 32]> {
    // HMAC accepts keys of any length, so this cannot fail; the `Option`
    // keeps the code free of panics all the same.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).ok()?;
    mac.update(data);
    Some(mac.finalize().into_bytes().into())
}

/// Builds the canonical request. `double_encode_path` is the rule of every
/// AWS service but S3: the path as sent is percent-encoded once more.
fn canonical_request(
    req: &SignedRequest<'_>,
    signed_headers: &[String],
    payload_hash: &str,
    double_encode_path: bool,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + req.query.len());
    out.extend_from_slice(req.method.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_uri(req.path, double_encode_path).as_bytes());
    out.push(b'\n');
    out.extend_from_slice(canonical_query(req.query).as_bytes());
    out.push(b'\n');
    for name in signed_headers {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        // A signed header absent from the request is written with an empty
        // value, as AWS does (it shows `connection:` lines in its errors for
        // hop-by-hop headers a proxy removed).
        let mut first = true;
        for (_, value) in req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            if !first {
                out.push(b',');
            }
            first = false;
            push_collapsed(&mut out, trim_spaces(value));
        }
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(signed_headers.join(";").as_bytes());
    out.push(b'\n');
    out.extend_from_slice(payload_hash.as_bytes());
    out
}

/// Normalises the path (RFC 3986 dot segments, empty segments) and
/// percent-encodes it, exactly as the AWS SDK signers do.
fn canonical_uri(path: &str, double_encode: bool) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let ends_with_slash = ["/", "/.", "/./", "/..", "/../"]
        .iter()
        .any(|s| path.ends_with(s));
    let mut normalized = String::with_capacity(path.len() + 1);
    normalized.push('/');
    normalized.push_str(&segments.join("/"));
    if ends_with_slash && !normalized.ends_with('/') {
        normalized.push('/');
    }

    let mut out = String::with_capacity(normalized.len() + 16);
    for &b in normalized.as_bytes() {
        if is_unreserved(b) || b == b'/' || (!double_encode && b == b'%') {
            out.push(char::from(b));
        } else {
            push_percent(&mut out, b);
        }
    }
    out
}

/// Decodes the query as a form would (`+` is a space), re-encodes every
/// name and value with the RFC 3986 unreserved set, and sorts the pairs by
/// encoded name, then encoded value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&form_decode(k)), uri_encode(&form_decode(v)))
        })
        .collect();
    pairs.sort();
    let mut out = String::with_capacity(query.len() + 16);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// Percent-decodes `s`, leaving malformed escapes as they are, with `+` as a
/// space; invalid UTF-8 becomes U+FFFD, as in the `form_urlencoded` crate
/// the Rust SDK signer uses.
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = bytes.get(i + 1).copied().and_then(hex_value);
                let lo = bytes.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            _ => out.push(b),
        }
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if is_unreserved(b) {
            out.push(char::from(b));
        } else {
            push_percent(&mut out, b);
        }
    }
    out
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn push_percent(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Trims spaces only, as the SigV4 rules (and the SDK signers) do.
fn trim_spaces(value: &[u8]) -> &[u8] {
    let start = value.iter().position(|&b| b != b' ').unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|&b| b != b' ')
        .map_or(start, |e| e + 1);
    value.get(start..end).unwrap_or_default()
}

/// Appends `value` with each run of spaces collapsed to one.
fn push_collapsed(out: &mut Vec<u8>, value: &[u8]) {
    let mut previous_space = false;
    for &b in value {
        if b == b' ' {
            if !previous_space {
                out.push(b);
            }
            previous_space = true;
        } else {
            out.push(b);
            previous_space = false;
        }
    }
}

fn first_header<'a>(req: &SignedRequest<'a>, name: &str) -> Option<&'a [u8]> {
    req.headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

/// Parses `YYYYMMDD'T'HHMMSS'Z'` into Unix seconds; anything else is `None`.
fn parse_iso8601_basic(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        let digits = b.get(from..to)?;
        digits.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0, 4)?).ok()?;
    let month = Month::try_from(u8::try_from(number(4, 6)?).ok()?).ok()?;
    let day = u8::try_from(number(6, 8)?).ok()?;
    let hour = u8::try_from(number(9, 11)?).ok()?;
    let minute = u8::try_from(number(11, 13)?).ok()?;
    let second = u8::try_from(number(13, 15)?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let time = Time::from_hms(hour, minute, second).ok()?;
    Some(
        PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Formats Unix seconds as `YYYYMMDD'T'HHMMSS'Z'`; a time outside the
/// calendar's range (only from an absurd clock) is shown as a number.
fn format_iso8601_basic(unix: i64) -> String {
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => unix.to_string(),
    }
}

fn check_clock_skew(amz_date: &str, timestamp: i64, now: i64) -> Result<(), SigV4Error> {
    let earliest = now.saturating_sub(MAX_CLOCK_SKEW_SECS);
    let latest = now.saturating_add(MAX_CLOCK_SKEW_SECS);
    if timestamp < earliest {
        return Err(SigV4Error::SignatureExpired {
            request: amz_date.to_owned(),
            earliest: format_iso8601_basic(earliest),
            now: format_iso8601_basic(now),
        });
    }
    if timestamp > latest {
        return Err(SigV4Error::SignatureNotYetCurrent {
            request: amz_date.to_owned(),
            latest: format_iso8601_basic(latest),
            now: format_iso8601_basic(now),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
