//! DescribeLimits: the account's and each table's capacity quotas.

use ferrodyn_model::limits::{
    ACCOUNT_READ_CAPACITY_UNITS_MAX, ACCOUNT_WRITE_CAPACITY_UNITS_MAX,
    TABLE_READ_CAPACITY_UNITS_MAX, TABLE_WRITE_CAPACITY_UNITS_MAX,
};

use crate::database::Database;

/// DescribeLimits' output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `AccountMaxReadCapacityUnits`.
    pub account_max_read: u64,
    /// `AccountMaxWriteCapacityUnits`.
    pub account_max_write: u64,
    /// `TableMaxReadCapacityUnits`.
    pub table_max_read: u64,
    /// `TableMaxWriteCapacityUnits`.
    pub table_max_write: u64,
}

impl Database {
    /// DescribeLimits.
    pub fn describe_limits(&self) -> Limits {
        Limits {
            account_max_read: ACCOUNT_READ_CAPACITY_UNITS_MAX,
            account_max_write: ACCOUNT_WRITE_CAPACITY_UNITS_MAX,
            table_max_read: TABLE_READ_CAPACITY_UNITS_MAX,
            table_max_write: TABLE_WRITE_CAPACITY_UNITS_MAX,
        }
    }
}
