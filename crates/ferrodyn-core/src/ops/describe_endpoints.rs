//! DescribeEndpoints: where clients should send requests. ferrodyn names
//! the address the request arrived at, so endpoint discovery keeps clients
//! on this server.

use crate::database::Database;

/// How long clients may cache the answer, in minutes (AWS answers 1440).
pub const ENDPOINT_CACHE_PERIOD_MINUTES: u64 = 1440;

/// One endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// `Address`.
    pub address: String,
    /// `CachePeriodInMinutes`.
    pub cache_period_minutes: u64,
}

impl Database {
    /// DescribeEndpoints, given the host the request was addressed to.
    pub fn describe_endpoints(&self, host: &str) -> Vec<Endpoint> {
        vec![Endpoint {
            address: host.to_owned(),
            cache_period_minutes: ENDPOINT_CACHE_PERIOD_MINUTES,
        }]
    }
}
