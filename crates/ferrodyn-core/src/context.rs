//! Who is asking, and where.

/// The caller's identity and location, established by the wire layer from
/// the request signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestContext {
    /// The account the caller acts for.
    pub account_id: String,
    /// The region from the signature's credential scope.
    pub region: String,
}
