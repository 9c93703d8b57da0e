//! The signature checks against the AWS SigV4 test suite's vectors and
//! DynamoDB's error messages.

use super::*;
use proptest::prelude::*;

/// The secret of the AWS SigV4 test suite (from the AWS documentation).
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2015-08-30T12:36:00Z, the time every suite request was signed at.
const SUITE_NOW: i64 = 1_440_938_160;
const SUITE_CREDENTIAL: &str = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn suite_policy() -> ScopePolicy {
    ScopePolicy {
        service: "service".to_owned(),
        regions: Some(vec!["us-east-1".to_owned()]),
    }
}

/// One request of the AWS SigV4 test suite, with what it must produce.
struct Vector {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    query: &'static str,
    /// The headers as sent, not counting `X-Amz-Date` and `Authorization`.
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
    signed_headers: &'static str,
    canonical_request: &'static str,
    signature: &'static str,
}

const VECTORS: &[Vector] = &[
    Vector {
        name: "get-vanilla",
        method: "GET",
        path: "/",
        query: "",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    Vector {
        name: "get-vanilla-query-order-key-case",
        method: "GET",
        path: "/",
        query: "Param2=value2&Param1=value1",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    },
    Vector {
        name: "get-vanilla-query-order-encoded",
        method: "GET",
        path: "/",
        query: "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/\n%E1%88%B4=Value1&Param=Value2&Param-3=Value3\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac",
    },
    Vector {
        name: "get-vanilla-utf8-query",
        method: "GET",
        path: "/",
        query: "\u{1234}=bar",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    },
    Vector {
        name: "get-vanilla-query-unreserved",
        method: "GET",
        path: "/",
        query: "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    },
    Vector {
        name: "get-unreserved",
        method: "GET",
        path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        query: "",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    },
    Vector {
        name: "get-utf8",
        method: "GET",
        path: "/\u{1234}",
        query: "",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/%E1%88%B4\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
    },
    Vector {
        name: "get-slashes-normalized",
        method: "GET",
        path: "//example//",
        query: "",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/example/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84",
    },
    Vector {
        name: "get-relative-relative-normalized",
        method: "GET",
        path: "/example1/example2/../..",
        query: "",
        headers: &[("Host", "example.amazonaws.com")],
        body: "",
        signed_headers: "host;x-amz-date",
        canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    Vector {
        name: "get-header-value-trim",
        method: "GET",
        path: "/",
        query: "",
        headers: &[
            ("Host", "example.amazonaws.com"),
            ("My-Header1", " value1"),
            ("My-Header2", " \"a   b   c\""),
        ],
        body: "",
        signed_headers: "host;my-header1;my-header2;x-amz-date",
        canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    },
    Vector {
        name: "get-header-key-duplicate",
        method: "GET",
        path: "/",
        query: "",
        headers: &[
            ("Host", "example.amazonaws.com"),
            ("My-Header1", "value2"),
            ("My-Header1", "value2"),
            ("My-Header1", "value1"),
        ],
        body: "",
        signed_headers: "host;my-header1;x-amz-date",
        canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    },
    Vector {
        name: "post-header-value-case",
        method: "POST",
        path: "/",
        query: "",
        headers: &[("Host", "example.amazonaws.com"), ("My-Header1", "VALUE1")],
        body: "",
        signed_headers: "host;my-header1;x-amz-date",
        canonical_request: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    },
    Vector {
        name: "get-vanilla-with-session-token",
        method: "GET",
        path: "/",
        query: "",
        headers: &[
            ("Host", "example.amazonaws.com"),
            (
                "X-Amz-Security-Token",
                "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            ),
        ],
        body: "",
        signed_headers: "host;x-amz-date;x-amz-security-token",
        canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
    },
    Vector {
        name: "post-x-www-form-urlencoded",
        method: "POST",
        path: "/",
        query: "",
        headers: &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Host", "example.amazonaws.com"),
            ("Content-Length", "13"),
            (
                "x-amz-content-sha256",
                "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            ),
        ],
        body: "Param1=value1",
        signed_headers: "content-length;content-type;host;x-amz-content-sha256;x-amz-date",
        canonical_request: "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
        signature: "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
    },
];

/// Owns the header list of a request so that tests can borrow it.
struct Owned {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Owned {
    fn header_refs(&self) -> Vec<(&str, &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect()
    }

    fn with<R>(&self, f: impl FnOnce(&SignedRequest<'_>) -> R) -> R {
        let headers = self.header_refs();
        f(&SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &headers,
            body: &self.body,
        })
    }
}

fn vector_request(v: &Vector) -> Owned {
    let mut headers: Vec<(String, Vec<u8>)> = v
        .headers
        .iter()
        .map(|(n, val)| ((*n).to_owned(), val.as_bytes().to_vec()))
        .collect();
    headers.push(("X-Amz-Date".to_owned(), b"20150830T123600Z".to_vec()));
    headers.push((
        "Authorization".to_owned(),
        format!(
            "{ALGORITHM} Credential={SUITE_CREDENTIAL}, SignedHeaders={}, Signature={}",
            v.signed_headers, v.signature
        )
        .into_bytes(),
    ));
    Owned {
        method: v.method.to_owned(),
        path: v.path.to_owned(),
        query: v.query.to_owned(),
        headers,
        body: v.body.as_bytes().to_vec(),
    }
}

/// A DynamoDB-shaped request with an `Authorization` header of the
/// caller's choosing, for the error-path tests.
fn with_auth(auth: &str, date: Option<&str>) -> Owned {
    let mut headers = vec![
        ("Host".to_owned(), b"127.0.0.1:8000".to_vec()),
        (
            "X-Amz-Target".to_owned(),
            b"DynamoDB_20120810.ListTables".to_vec(),
        ),
        ("Authorization".to_owned(), auth.as_bytes().to_vec()),
    ];
    if let Some(date) = date {
        headers.push(("X-Amz-Date".to_owned(), date.as_bytes().to_vec()));
    }
    Owned {
        method: "POST".to_owned(),
        path: "/".to_owned(),
        query: String::new(),
        headers,
        body: b"{}".to_vec(),
    }
}

fn parse_suite(owned: &Owned) -> Result<ParsedAuth, SigV4Error> {
    owned.with(|r| parse_authorization(r, &suite_policy(), SUITE_NOW))
}

fn message(result: Result<ParsedAuth, SigV4Error>) -> (String, &'static str) {
    match result {
        Ok(parsed) => panic!("expected an error, parsed {parsed:?}"),
        Err(e) => (e.to_string(), e.type_name()),
    }
}

#[test]
fn suite_vectors_canonicalise_and_verify() {
    for v in VECTORS {
        let owned = vector_request(v);
        let parsed = parse_suite(&owned).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let payload_hash = hex::encode(Sha256::digest(v.body.as_bytes()));
        let canonical =
            owned.with(|r| canonical_request(r, &parsed.signed_headers, &payload_hash, true));
        assert_eq!(
            String::from_utf8_lossy(&canonical),
            v.canonical_request,
            "{}",
            v.name
        );
        owned
            .with(|r| verify(r, &parsed, SUITE_SECRET))
            .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let wrong = owned.with(|r| verify(r, &parsed, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEZ"));
        assert!(
            matches!(wrong, Err(SigV4Error::SignatureMismatch { .. })),
            "{}",
            v.name
        );
    }
}

#[test]
fn get_vanilla_string_to_sign_is_in_the_mismatch_error() {
    let mut owned = vector_request(&VECTORS[0]);
    // A wrong last signature digit leaves the computed strings intact.
    if let Some((_, auth)) = owned.headers.last_mut()
        && let Some(last) = auth.last_mut()
    {
        *last = b'0';
    }
    let parsed = parse_suite(&owned).expect("parses");
    let err = owned
        .with(|r| verify(r, &parsed, SUITE_SECRET))
        .expect_err("the signature was altered");
    assert_eq!(
        err.to_string(),
        format!(
            "{SIGNATURE_MISMATCH_MESSAGE}\n\nThe Canonical String for this request should have been\n'{}'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63'\n",
            VECTORS[0].canonical_request
        )
    );
    assert_eq!(err.type_name(), "InvalidSignatureException");
}

#[test]
fn unsigned_session_token_is_refused() {
    // The suite's post-sts-header-after case adds the token after
    // signing; this server insists that the token be signed.
    let mut owned = vector_request(&VECTORS[0]);
    owned
        .headers
        .push(("X-Amz-Security-Token".to_owned(), b"AQoDYXdzEPT".to_vec()));
    let (msg, ty) = message(parse_suite(&owned));
    assert_eq!(
        msg,
        "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."
    );
    assert_eq!(ty, "InvalidSignatureException");
}

#[test]
fn every_amz_header_must_be_signed() {
    let mut owned = vector_request(&VECTORS[0]);
    owned.headers.push((
        "x-amz-target".to_owned(),
        b"DynamoDB_20120810.DeleteItem".to_vec(),
    ));
    let (msg, ty) = message(parse_suite(&owned));
    assert_eq!(
        msg,
        "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
    );
    assert_eq!(ty, "InvalidSignatureException");
    // Other headers need not be signed.
    let mut owned = vector_request(&VECTORS[0]);
    owned
        .headers
        .push(("x-amzn-trace-id".to_owned(), b"Root=1".to_vec()));
    owned.headers.push(("user-agent".to_owned(), b"t".to_vec()));
    assert!(parse_suite(&owned).is_ok());
}

#[test]
fn session_token_is_reported() {
    let owned = vector_request(&VECTORS[12]);
    let parsed = parse_suite(&owned).expect("parses");
    assert_eq!(
        parsed.session_token.as_deref(),
        Some("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267")
    );
    assert_eq!(parsed.access_key_id, "AKIDEXAMPLE");
    assert_eq!(parsed.region, "us-east-1");
    assert_eq!(parsed.date, "20150830");
    assert_eq!(parsed.timestamp, SUITE_NOW);
}

#[test]
fn path_is_double_encoded_as_the_sdks_do_for_non_s3_services() {
    assert_eq!(
        canonical_uri("/test/@connections/JBDvjfGEIAMCERw%3D", true),
        "/test/%40connections/JBDvjfGEIAMCERw%253D"
    );
    assert_eq!(
        canonical_uri(
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A892717189312%3Afunction%3Amy-rusty-fun/invocations",
            true
        ),
        "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aus-west-2%253A892717189312%253Afunction%253Amy-rusty-fun/invocations"
    );
    // The suite's single-encoding cases, for the S3-style rule.
    assert_eq!(
        canonical_uri("/example%20space/", false),
        "/example%20space/"
    );
    assert_eq!(
        canonical_uri("/example%20space/", true),
        "/example%2520space/"
    );
    assert_eq!(canonical_uri("", true), "/");
    assert_eq!(canonical_uri("/./", true), "/");
    assert_eq!(canonical_uri("/example/..", true), "/");
    assert_eq!(canonical_uri("/../foo", true), "/foo");
    assert_eq!(canonical_uri("/foo/bar/.", true), "/foo/bar/");
    assert_eq!(canonical_uri("relative", true), "/relative");
}

#[test]
fn query_is_decoded_then_encoded_and_sorted() {
    assert_eq!(canonical_query(""), "");
    assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
    assert_eq!(canonical_query("flag&x=a+b"), "flag=&x=a%20b");
    assert_eq!(canonical_query("k=%zz%2"), "k=%25zz%252");
    assert_eq!(canonical_query("&&a=%2F&"), "a=%2F");
    assert_eq!(canonical_query("e=%C3%A9"), "e=%C3%A9");
    assert_eq!(canonical_query("bad=%FF"), "bad=%EF%BF%BD");
}

#[test]
fn dates_parse_only_in_basic_format() {
    assert_eq!(parse_iso8601_basic("20150830T123600Z"), Some(SUITE_NOW));
    assert_eq!(format_iso8601_basic(SUITE_NOW), "20150830T123600Z");
    for bad in [
        "",
        "201",
        "2015-08-30T12:36:00Z",
        "20150830T123600",
        "20151330T123600Z",
        "20150231T123600Z",
        "20150830T246000Z",
        "2015083OT123600Z",
        "+0150830T123600Z",
        "20150830t123600z",
        "Sun, 30 Aug 2015 12:36:00 GMT",
    ] {
        assert_eq!(parse_iso8601_basic(bad), None, "{bad}");
    }
}

#[test]
fn missing_authorization_is_missing_authentication_token() {
    let mut owned = with_auth("", Some("20150830T123600Z"));
    owned.headers.retain(|(n, _)| n != "Authorization");
    let err = parse_suite(&owned).expect_err("no header");
    assert_eq!(err, SigV4Error::MissingAuthenticationToken);
    assert_eq!(err.to_string(), "Request is missing Authentication Token");
    assert_eq!(err.type_name(), "MissingAuthenticationTokenException");
    assert_eq!(
        err.qualified_type_name(),
        "com.amazon.coral.service#MissingAuthenticationTokenException"
    );
    assert_eq!(err.status_code(), 400);

    // AWS treats an Authorization header of another scheme the same way.
    for auth in ["AWS4", "Bearer abc", "AWS AKID:sig", ""] {
        let owned = with_auth(auth, Some("20150830T123600Z"));
        assert_eq!(
            parse_suite(&owned),
            Err(SigV4Error::MissingAuthenticationToken),
            "{auth}"
        );
    }
}

#[test]
fn incomplete_header_lists_every_missing_part() {
    let (msg, ty) = message(parse_suite(&with_auth("AWS4-", None)));
    assert_eq!(
        msg,
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-"
    );
    assert_eq!(ty, "IncompleteSignatureException");

    let auth = format!("{ALGORITHM} Credential={SUITE_CREDENTIAL}");
    let (msg, _) = message(parse_suite(&with_auth(&auth, Some("20150830T123600Z"))));
    assert_eq!(
        msg,
        format!(
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={auth}"
        )
    );

    let auth = format!(
        "{ALGORITHM} Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=abc"
    );
    let (msg, _) = message(parse_suite(&with_auth(&auth, None)));
    assert_eq!(
        msg,
        format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={auth}"
        )
    );
}

#[test]
fn parameter_without_equal_sign_is_named() {
    let auth = "AWS4-HMAC-SHA256 Credential=AKID /20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    let (msg, ty) = message(parse_suite(&with_auth(auth, Some("20150830T123600Z"))));
    assert_eq!(
        msg,
        format!(
            "'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{auth}'."
        )
    );
    assert_eq!(ty, "IncompleteSignatureException");
}

#[test]
fn parameters_may_be_separated_by_commas_or_spaces_alone() {
    for sep in [",", " ", ", ", " ,\t"] {
        let auth = format!(
            "{ALGORITHM} Credential={SUITE_CREDENTIAL}{sep}SignedHeaders=host;x-amz-date{sep}Signature={}",
            VECTORS[0].signature
        );
        let mut owned = with_auth(&auth, Some("20150830T123600Z"));
        owned.headers[0].1 = b"example.amazonaws.com".to_vec();
        owned.headers.remove(1);
        owned.method = "GET".to_owned();
        owned.body.clear();
        let parsed = parse_suite(&owned).expect("parses");
        owned
            .with(|r| verify(r, &parsed, SUITE_SECRET))
            .unwrap_or_else(|e| panic!("{sep:?}: {e}"));
    }
}

#[test]
fn malformed_date_is_incomplete_signature() {
    let auth = format!(
        "{ALGORITHM} Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=abc"
    );
    let (msg, ty) = message(parse_suite(&with_auth(&auth, Some("201"))));
    assert_eq!(
        msg,
        "Date must be in ISO-8601 'basic format'. Got '201'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
    assert_eq!(ty, "IncompleteSignatureException");

    // The Date header is used when X-Amz-Date is absent.
    let mut owned = with_auth(&auth, None);
    owned
        .headers
        .push(("Date".to_owned(), b"Sun, 30 Aug 2015 12:36:00 GMT".to_vec()));
    let (msg, _) = message(parse_suite(&owned));
    assert_eq!(
        msg,
        "Date must be in ISO-8601 'basic format'. Got 'Sun, 30 Aug 2015 12:36:00 GMT'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
}

#[test]
fn clock_skew_is_checked_before_the_credential() {
    // As on AWS, an expired request is reported as such even when its
    // credential is nonsense.
    let auth = "AWS4-HMAC-SHA256 Credential=cassandra/2/3/4/aws4_request SignedHeaders=x-amz-date;host Signature=123";
    let (msg, ty) = message(parse_suite(&with_auth(auth, Some("20130524T000000Z"))));
    assert_eq!(
        msg,
        "Signature expired: 20130524T000000Z is now earlier than 20150830T122100Z (20150830T123600Z - 15 min.)"
    );
    assert_eq!(ty, "InvalidSignatureException");

    let (msg, ty) = message(parse_suite(&with_auth(auth, Some("30200101T010101Z"))));
    assert_eq!(
        msg,
        "Signature not yet current: 30200101T010101Z is still later than 20150830T125100Z (20150830T123600Z + 15 min.)"
    );
    assert_eq!(ty, "InvalidSignatureException");
}

#[test]
fn host_must_be_signed() {
    let auth = format!(
        "{ALGORITHM} Credential={SUITE_CREDENTIAL}, SignedHeaders=x-amz-date;x-amz-target, Signature=abc"
    );
    let (msg, ty) = message(parse_suite(&with_auth(&auth, Some("20150830T123600Z"))));
    assert_eq!(
        msg,
        "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
    );
    assert_eq!(ty, "InvalidSignatureException");
}

#[test]
fn other_algorithms_are_unsupported() {
    let auth = format!(
        "AWS4-HMAC-SHA25 Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=abc"
    );
    let (msg, ty) = message(parse_suite(&with_auth(&auth, Some("20150830T123600Z"))));
    assert_eq!(
        msg,
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA25' (only AWS4-HMAC-SHA256 for now). "
    );
    assert_eq!(ty, "IncompleteSignatureException");
}

#[test]
fn credential_needs_five_elements() {
    let auth = "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host;x-amz-date, Signature=abc";
    let (msg, ty) = message(parse_suite(&with_auth(auth, Some("20150830T123600Z"))));
    assert_eq!(
        msg,
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"
    );
    assert_eq!(ty, "IncompleteSignatureException");

    // Trailing slashes do not count as elements.
    let auth = format!(
        "{ALGORITHM} Credential={SUITE_CREDENTIAL}//, SignedHeaders=host;x-amz-date;x-amz-target, Signature=abc"
    );
    let parsed = parse_suite(&with_auth(&auth, Some("20150830T123600Z"))).expect("parses");
    assert_eq!(parsed.access_key_id, "AKIDEXAMPLE");
}

#[test]
fn credential_scope_faults_are_all_listed() {
    let auth = "AWS4-HMAC-SHA256 Credential=AKID/foobar/wrong-region/other/aws5_request, SignedHeaders=host;x-amz-date, Signature=abc";
    let (msg, ty) = message(parse_suite(&with_auth(auth, Some("20150830T122100Z"))));
    assert_eq!(
        msg,
        "Credential should be scoped to a valid region, not 'wrong-region'. Credential should be scoped to correct service: 'service'. Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: 'foobar' != '20150830', from '20150830T122100Z'."
    );
    assert_eq!(ty, "InvalidSignatureException");

    let auth = "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";
    let owned = with_auth(auth, Some("20150830T123600Z"));
    let (msg, _) =
        message(owned.with(|r| parse_authorization(r, &ScopePolicy::default(), SUITE_NOW)));
    assert_eq!(
        msg,
        "Credential should be scoped to correct service: 'dynamodb'. "
    );
}

#[test]
fn any_plain_region_is_accepted_by_default() {
    let policy = ScopePolicy::default();
    for region in ["us-east-1", "localhost", "ddblocal", "eu_test"] {
        assert!(policy.accepts_region(region), "{region}");
    }
    for region in ["", "us east", "a/b", "é", &"x".repeat(65)] {
        assert!(!policy.accepts_region(region), "{region}");
    }
}

#[test]
fn declared_payload_hash_must_match_the_body() {
    let mut owned = vector_request(&VECTORS[13]);
    for (name, value) in &mut owned.headers {
        if name == "x-amz-content-sha256" {
            *value = EMPTY_SHA256.as_bytes().to_vec();
        }
    }
    let parsed = parse_suite(&owned).expect("parses");
    let err = owned
        .with(|r| verify(r, &parsed, SUITE_SECRET))
        .expect_err("hash differs");
    assert!(matches!(err, SigV4Error::SignatureMismatch { .. }));
}

#[test]
fn caller_errors_have_aws_texts() {
    assert_eq!(
        SigV4Error::UnrecognizedClient.to_string(),
        "The security token included in the request is invalid."
    );
    assert_eq!(
        SigV4Error::UnrecognizedClient.type_name(),
        "UnrecognizedClientException"
    );
    assert_eq!(
        SigV4Error::InvalidSecurityToken.to_string(),
        "The security token included in the request is invalid"
    );
    assert_eq!(
        SigV4Error::InvalidSecurityToken.type_name(),
        "UnrecognizedClientException"
    );
}

fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Authorization".to_owned()),
        Just("X-Amz-Date".to_owned()),
        Just("Date".to_owned()),
        Just("Host".to_owned()),
        Just("X-Amz-Security-Token".to_owned()),
        Just("x-amz-content-sha256".to_owned()),
        "[A-Za-z-]{1,12}",
    ]
}

fn auth_like() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        "AWS4-[ -~]{0,120}".prop_map(String::into_bytes),
        (
            "[ -~]{0,30}",
            "[ -~]{0,12}",
            "[ -~]{0,12}",
            "[ -~]{0,70}",
            "[ ,]{0,3}"
        )
            .prop_map(|(cred, sh, sig, extra, sep)| format!(
                "AWS4-HMAC-SHA256 Credential={cred}{sep}SignedHeaders={sh}{sep}Signature={sig}{sep}{extra}"
            )
            .into_bytes()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_requests_never_panic(
        method in "[A-Z]{0,8}",
        path in "[ -~\u{80}-\u{10FFFF}]{0,40}",
        query in "[ -~\u{80}-\u{10FFFF}]{0,40}",
        headers in proptest::collection::vec(
            (header_name(), proptest::collection::vec(any::<u8>(), 0..40)),
            0..8,
        ),
        auth in auth_like(),
        date in prop_oneof![
            Just(b"20150830T123600Z".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..20),
        ],
        body in proptest::collection::vec(any::<u8>(), 0..64),
        now in prop_oneof![Just(SUITE_NOW), any::<i64>()],
    ) {
        let mut headers = headers;
        headers.push(("Authorization".to_owned(), auth));
        headers.push(("X-Amz-Date".to_owned(), date));
        let owned = Owned { method, path, query, headers, body };
        let policy = ScopePolicy::default();
        owned.with(|r| {
            if let Ok(parsed) = parse_authorization(r, &policy, now) {
                let _ = verify(r, &parsed, SUITE_SECRET);
            }
            let _ = parse_authorization(r, &suite_policy(), now);
        });
    }

    #[test]
    fn canonical_parts_never_panic(
        path in any::<String>(),
        query in any::<String>(),
    ) {
        let uri = canonical_uri(&path, true);
        prop_assert!(uri.starts_with('/'));
        prop_assert!(uri.bytes().all(|b| b.is_ascii_graphic()));
        let _ = canonical_uri(&path, false);
        let q = canonical_query(&query);
        prop_assert!(q.bytes().all(|b| b.is_ascii_graphic()));
    }
}
