//! Verifies requests signed by the AWS SDK for Rust's own signer
//! (`aws-sigv4`), so that the verifier is checked against the code real
//! clients run rather than against itself.

use std::collections::HashMap;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SessionTokenMode, SignableBody, SignableRequest, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use ferrodyn_api::sigv4::{
    ParsedAuth, SIGNATURE_MISMATCH_MESSAGE, ScopePolicy, SigV4Error, SignedRequest,
    parse_authorization, verify,
};
use sha2::{Digest, Sha256};

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2023-11-14T22:13:20Z.
const SIGNED_AT: i64 = 1_700_000_000;
const SIGNED_AT_ISO: &str = "20231114T221320Z";
const ENDPOINT: &str = "http://127.0.0.1:8000";

/// What to sign, and how.
#[derive(Clone)]
struct Case {
    region: &'static str,
    path_and_query: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    session_token: Option<&'static str>,
    sha256_header: bool,
    token_signed: bool,
}

impl Case {
    fn put_item(region: &'static str, body: &[u8]) -> Self {
        Self {
            region,
            path_and_query: "/",
            headers: vec![
                ("content-type", "application/x-amz-json-1.0".to_owned()),
                ("x-amz-target", "DynamoDB_20120810.PutItem".to_owned()),
                ("host", "127.0.0.1:8000".to_owned()),
            ],
            body: body.to_vec(),
            session_token: None,
            sha256_header: false,
            token_signed: true,
        }
    }
}

/// A request as the server would receive it.
#[derive(Clone, Debug)]
struct Received {
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Received {
    fn with<R>(&self, f: impl FnOnce(&SignedRequest<'_>) -> R) -> R {
        let headers: Vec<(&str, &[u8])> = self
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        f(&SignedRequest {
            method: "POST",
            path: &self.path,
            query: &self.query,
            headers: &headers,
            body: &self.body,
        })
    }

    fn parse(&self, now: i64) -> Result<ParsedAuth, SigV4Error> {
        self.with(|r| parse_authorization(r, &ScopePolicy::default(), now))
    }

    /// Parses, looks the key up and verifies, as the server does.
    fn authenticate(&self, now: i64) -> Result<ParsedAuth, SigV4Error> {
        let keys = HashMap::from([(ACCESS_KEY, SECRET)]);
        self.with(|r| {
            let parsed = parse_authorization(r, &ScopePolicy::default(), now)?;
            let secret = keys
                .get(parsed.access_key_id.as_str())
                .ok_or(SigV4Error::UnrecognizedClient)?;
            verify(r, &parsed, secret)?;
            Ok(parsed)
        })
    }

    fn header(&self, name: &str) -> Vec<u8> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn header_mut(&mut self, name: &str) -> &mut Vec<u8> {
        &mut self
            .headers
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("no {name} header"))
            .1
    }
}

/// Signs `case` with the SDK's signer at `SIGNED_AT`.
fn sign_case(case: &Case) -> Received {
    let credentials = Credentials::new(
        ACCESS_KEY,
        SECRET,
        case.session_token.map(str::to_owned),
        None,
        "test",
    );
    let identity = credentials.into();
    let mut settings = SigningSettings::default();
    if case.sha256_header {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    }
    if !case.token_signed {
        settings.session_token_mode = SessionTokenMode::Exclude;
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(case.region)
        .name("dynamodb")
        .time(UNIX_EPOCH + Duration::from_secs(SIGNED_AT.unsigned_abs()))
        .settings(settings)
        .build()
        .expect("signing parameters")
        .into();
    let uri = format!("{ENDPOINT}{}", case.path_and_query);
    let signable = SignableRequest::new(
        "POST",
        uri,
        case.headers.iter().map(|(n, v)| (*n, v.as_str())),
        SignableBody::Bytes(&case.body),
    )
    .expect("signable request");
    let (instructions, _signature) = sign(signable, &params).expect("signs").into_parts();

    let mut headers: Vec<(String, Vec<u8>)> = case
        .headers
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone().into_bytes()))
        .collect();
    for (name, value) in instructions.headers() {
        headers.push((name.to_owned(), value.as_bytes().to_vec()));
    }
    let (path, query) = case
        .path_and_query
        .split_once('?')
        .unwrap_or((case.path_and_query, ""));
    Received {
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: case.body.clone(),
    }
}

fn err_of(result: Result<ParsedAuth, SigV4Error>) -> SigV4Error {
    result.expect_err("the request must be refused")
}

fn unicode_body() -> Vec<u8> {
    r#"{"TableName":"Ünïcødé-表","Item":{"pk":{"S":"🦀 crab"},"sk":{"S":"naïve café"},"n":{"N":"-1.5E+10"}}}"#
        .as_bytes()
        .to_vec()
}

fn large_body() -> Vec<u8> {
    let mut body = br#"{"TableName":"big","Item":{"pk":{"S":"k"},"blob":{"S":""#.to_vec();
    body.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    body.extend_from_slice(br#""}}}"#);
    body
}

#[test]
fn sdk_signed_requests_verify_across_regions_bodies_and_tokens() {
    let bodies = [
        Vec::new(),
        b"{}".to_vec(),
        br#"{"TableName":"t","Item":{"pk":{"S":"a"}}}"#.to_vec(),
        unicode_body(),
        large_body(),
    ];
    let regions = [
        "us-east-1",
        "eu-west-1",
        "ap-southeast-2",
        "cn-north-1",
        "us-gov-west-1",
        "localhost",
    ];
    for region in regions {
        for body in &bodies {
            for token in [None, Some("FwoGZXIvYXdzEBYaDH+/session=token==")] {
                for sha256_header in [false, true] {
                    let mut case = Case::put_item(region, body);
                    case.session_token = token;
                    case.sha256_header = sha256_header;
                    let received = sign_case(&case);
                    let parsed = received.authenticate(SIGNED_AT).unwrap_or_else(|e| {
                        panic!("{region}, {} bytes, {token:?}: {e}", body.len())
                    });
                    assert_eq!(parsed.access_key_id, ACCESS_KEY);
                    assert_eq!(parsed.region, region);
                    assert_eq!(parsed.service, "dynamodb");
                    assert_eq!(parsed.amz_date, SIGNED_AT_ISO);
                    assert_eq!(parsed.session_token.as_deref(), token);
                }
            }
        }
    }
}

#[test]
fn header_order_and_case_do_not_matter() {
    let mut case = Case::put_item("us-west-2", b"{}");
    case.headers = vec![
        ("Host", "127.0.0.1:8000".to_owned()),
        ("X-Amz-Target", "DynamoDB_20120810.GetItem".to_owned()),
        ("Content-Type", "application/x-amz-json-1.0".to_owned()),
        ("Content-Length", "2".to_owned()),
        (
            "X-Amz-User-Agent",
            "aws-sdk-rust/1.3.9  api/dynamodb/1.136.0   os/linux lang/rust/1.95.0".to_owned(),
        ),
        (
            "amz-sdk-invocation-id",
            "5a7b2c1e-0000-4000-8000-000000000000".to_owned(),
        ),
        ("amz-sdk-request", "attempt=1; max=3".to_owned()),
        ("X-Custom", "first".to_owned()),
        ("x-custom", "  second   value ".to_owned()),
    ];
    case.session_token = Some("token");
    let received = sign_case(&case);
    received.authenticate(SIGNED_AT).expect("as signed");

    let mut reversed = received.clone();
    reversed.headers.reverse();
    // Reversing swaps the two x-custom values, whose order is significant.
    let err = err_of(reversed.authenticate(SIGNED_AT));
    assert!(matches!(err, SigV4Error::SignatureMismatch { .. }), "{err}");

    for shift in 0..received.headers.len() {
        let mut rotated = received.clone();
        rotated.headers.rotate_left(shift);
        let customs: Vec<&[u8]> = rotated
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("x-custom"))
            .map(|(_, v)| v.as_slice())
            .collect();
        let result = rotated.authenticate(SIGNED_AT);
        if customs == [b"first".as_slice(), b"  second   value "] {
            result.unwrap_or_else(|e| panic!("rotation {shift}: {e}"));
        } else {
            assert!(result.is_err(), "rotation {shift}");
        }
    }

    // Headers that the signer leaves out may be added, changed or removed.
    let mut extra = received.clone();
    extra
        .headers
        .push(("User-Agent".to_owned(), b"aws-sdk-rust/1.3.9".to_vec()));
    extra
        .headers
        .push(("X-Amzn-Trace-Id".to_owned(), b"Root=1-abc".to_vec()));
    extra
        .authenticate(SIGNED_AT)
        .expect("unsigned headers are ignored");
}

#[test]
fn path_and_query_are_canonicalised_like_the_sdk() {
    let mut case = Case::put_item("us-east-1", b"{}");
    case.path_and_query = "/some%20path/./x//y/../z?b=2&a=%2F+c&a=0&flag";
    let received = sign_case(&case);
    received.authenticate(SIGNED_AT).expect("as signed");
}

#[test]
fn unsigned_session_token_is_refused() {
    let mut case = Case::put_item("us-east-1", b"{}");
    case.session_token = Some("token");
    case.token_signed = false;
    let received = sign_case(&case);
    let err = err_of(received.authenticate(SIGNED_AT));
    assert_eq!(
        err.to_string(),
        "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."
    );
    assert_eq!(err.type_name(), "InvalidSignatureException");
}

#[test]
fn flipped_body_byte_is_a_mismatch_with_aws_message() {
    let case = Case::put_item("eu-central-1", br#"{"TableName":"t"}"#);
    let mut received = sign_case(&case);
    received.body[2] ^= 0x01;
    let err = err_of(received.authenticate(SIGNED_AT));

    let body_hash = hex::encode(Sha256::digest(&received.body));
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:127.0.0.1:8000\nx-amz-date:{SIGNED_AT_ISO}\nx-amz-target:DynamoDB_20120810.PutItem\n\ncontent-type;host;x-amz-date;x-amz-target\n{body_hash}"
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{SIGNED_AT_ISO}\n20231114/eu-central-1/dynamodb/aws4_request\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{SIGNATURE_MISMATCH_MESSAGE}\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{string_to_sign}'\n"
        )
    );
    assert!(err.to_string().starts_with(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n"
    ));
    assert_eq!(err.type_name(), "InvalidSignatureException");
    assert_eq!(err.status_code(), 400);
}

#[test]
fn flipped_bytes_anywhere_signed_are_refused() {
    let case = Case::put_item("us-east-1", &unicode_body());
    let received = sign_case(&case);
    received.authenticate(SIGNED_AT).expect("as signed");

    let mismatch = |r: &Received| {
        let err = err_of(r.authenticate(SIGNED_AT));
        assert!(
            matches!(err, SigV4Error::SignatureMismatch { .. }),
            "expected a mismatch, got {err}"
        );
    };

    for i in [0, received.body.len() / 2, received.body.len() - 1] {
        let mut r = received.clone();
        r.body[i] ^= 0x20;
        mismatch(&r);
    }
    let mut r = received.clone();
    r.body.push(b' ');
    mismatch(&r);

    for name in ["x-amz-target", "content-type", "host"] {
        let mut r = received.clone();
        let value = r.header_mut(name);
        let last = value.len() - 1;
        value[last] ^= 0x01;
        mismatch(&r);
    }

    // One second later, same day: the scope still fits, the signature not.
    let mut r = received.clone();
    *r.header_mut("x-amz-date") = b"20231114T221321Z".to_vec();
    mismatch(&r);

    // Every position of the signature matters.
    let auth = String::from_utf8(received.header("authorization")).expect("ascii");
    let sig_at = auth.find("Signature=").expect("signature") + "Signature=".len();
    for i in [sig_at, sig_at + 31, auth.len() - 1] {
        let mut bytes = auth.clone().into_bytes();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        let mut r = received.clone();
        *r.header_mut("authorization") = bytes;
        mismatch(&r);
    }
    // An uppercase signature is not the signature AWS computes either.
    let (head, signature) = auth.split_at(sig_at);
    let mut r = received.clone();
    *r.header_mut("authorization") =
        format!("{head}{}", signature.to_ascii_uppercase()).into_bytes();
    mismatch(&r);

    // The wrong secret for the right key.
    let parsed = received.parse(SIGNED_AT).expect("parses");
    let err = received
        .with(|req| verify(req, &parsed, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEX"))
        .expect_err("wrong secret");
    assert!(matches!(err, SigV4Error::SignatureMismatch { .. }));
}

#[test]
fn a_different_day_is_a_scope_error() {
    let received = sign_case(&Case::put_item("us-east-1", b"{}"));
    let mut r = received.clone();
    *r.header_mut("x-amz-date") = b"20231115T000000Z".to_vec();
    // The server's clock agrees with the forged date, so the clock check
    // passes and the credential scope is what gives the forgery away.
    let err = err_of(r.authenticate(1_700_006_400));
    assert_eq!(
        err.to_string(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231114' != '20231115', from '20231115T000000Z'."
    );
    assert_eq!(err.type_name(), "InvalidSignatureException");
}

#[test]
fn wrong_service_and_region_are_scope_errors() {
    let received = sign_case(&Case::put_item("us-east-1", b"{}"));
    let mut r = received.clone();
    let auth = String::from_utf8(r.header("authorization")).expect("ascii");
    *r.header_mut("authorization") = auth
        .replace("/us-east-1/dynamodb/", "/us-east-1/dynamodbx/")
        .into_bytes();
    let err = err_of(r.authenticate(SIGNED_AT));
    assert_eq!(
        err.to_string(),
        "Credential should be scoped to correct service: 'dynamodb'. "
    );

    let policy = ScopePolicy {
        regions: Some(vec!["eu-west-1".to_owned()]),
        ..ScopePolicy::default()
    };
    let err = received
        .with(|req| parse_authorization(req, &policy, SIGNED_AT))
        .expect_err("region not allowed");
    assert_eq!(
        err.to_string(),
        "Credential should be scoped to a valid region, not 'us-east-1'. "
    );
    assert_eq!(err.type_name(), "InvalidSignatureException");
}

#[test]
fn unknown_access_key_is_unrecognized_client() {
    let received = sign_case(&Case::put_item("us-east-1", b"{}"));
    let mut r = received.clone();
    let auth = String::from_utf8(r.header("authorization")).expect("ascii");
    *r.header_mut("authorization") = auth
        .replace(ACCESS_KEY, "AKIAUNKNOWNKEY000000")
        .into_bytes();
    let err = err_of(r.authenticate(SIGNED_AT));
    assert_eq!(err, SigV4Error::UnrecognizedClient);
    assert_eq!(
        err.to_string(),
        "The security token included in the request is invalid."
    );
    assert_eq!(err.type_name(), "UnrecognizedClientException");
}

#[test]
fn missing_authorization_is_missing_token() {
    let mut received = sign_case(&Case::put_item("us-east-1", b"{}"));
    received
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("authorization"));
    let err = err_of(received.authenticate(SIGNED_AT));
    assert_eq!(err.to_string(), "Request is missing Authentication Token");
    assert_eq!(err.type_name(), "MissingAuthenticationTokenException");
}

#[test]
fn clock_skew_limit_is_fifteen_minutes_each_way() {
    let received = sign_case(&Case::put_item("us-east-1", b"{}"));
    for offset in [-899, -900, 0, 899, 900] {
        received
            .authenticate(SIGNED_AT + offset)
            .unwrap_or_else(|e| panic!("offset {offset}: {e}"));
    }

    // The server is 15:01 ahead of the signer: the signature has expired.
    let err = err_of(received.authenticate(SIGNED_AT + 901));
    assert_eq!(
        err.to_string(),
        "Signature expired: 20231114T221320Z is now earlier than 20231114T221321Z (20231114T222821Z - 15 min.)"
    );
    assert_eq!(err.type_name(), "InvalidSignatureException");

    // The server is 15:01 behind the signer: the signature is not yet valid.
    let err = err_of(received.authenticate(SIGNED_AT - 901));
    assert_eq!(
        err.to_string(),
        "Signature not yet current: 20231114T221320Z is still later than 20231114T221319Z (20231114T215819Z + 15 min.)"
    );
    assert_eq!(err.type_name(), "InvalidSignatureException");
}
