//! Who signed a request: SigV4 verification against configured credentials,
//! or local development mode.
//!
//! With credentials configured, every request must carry a valid SigV4
//! signature by a known access key; the key's account owns the request. With
//! none configured, ferrodyn runs in local development mode: any
//! well-formed signature is accepted (its secret is not checked), every
//! access key maps to the default account, and the region still comes from
//! the signature's credential scope. The binary refuses to start in that
//! mode unless it is bound to a loopback address.

use std::collections::HashMap;

use ferrodyn_core::RequestContext;

use crate::error::ApiError;
use crate::sigv4::{self, ScopePolicy, SigV4Error, SignedRequest};

/// One configured credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// The account the key acts for.
    pub account_id: String,
}

/// The authenticator.
#[derive(Clone, Debug)]
pub struct Auth {
    by_key: HashMap<String, Credential>,
    default_account: String,
    policy: ScopePolicy,
}

fn auth_error(e: SigV4Error) -> ApiError {
    ApiError::Auth {
        type_name: e.type_name(),
        message: e.to_string(),
    }
}

impl Auth {
    /// An authenticator over `credentials`; empty means local mode.
    pub fn new(credentials: Vec<Credential>, default_account: String) -> Auth {
        Auth {
            by_key: credentials
                .into_iter()
                .map(|c| (c.access_key_id.clone(), c))
                .collect(),
            default_account,
            policy: ScopePolicy::default(),
        }
    }

    /// Whether no credentials are configured.
    pub fn is_local_mode(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Authenticates a request, returning the caller's context.
    pub fn authenticate(
        &self,
        req: &SignedRequest<'_>,
        now_unix_secs: i64,
    ) -> Result<RequestContext, ApiError> {
        let parsed =
            sigv4::parse_authorization(req, &self.policy, now_unix_secs).map_err(auth_error)?;
        let region = parsed.region.clone();
        if self.is_local_mode() {
            return Ok(RequestContext {
                account_id: self.default_account.clone(),
                region,
            });
        }
        let cred = self
            .by_key
            .get(&parsed.access_key_id)
            .ok_or_else(|| auth_error(SigV4Error::UnrecognizedClient))?;
        sigv4::verify(req, &parsed, &cred.secret_access_key).map_err(auth_error)?;
        Ok(RequestContext {
            account_id: cred.account_id.clone(),
            region,
        })
    }
}
