//! Every DynamoDB limit that ferrodyn enforces, as a named constant.
//!
//! The values come from the AWS documentation ("Service, account, and table
//! quotas in Amazon DynamoDB" and the API reference of each operation). Units
//! come last in each name. Code elsewhere must use these constants rather than
//! repeating a number, so that a limit can be found and changed in one place.

/// The largest item, counted with DynamoDB's item-size rules.
pub const ITEM_SIZE_BYTES_MAX: usize = 400 * 1024;
/// The longest partition key value (for S and B, the bytes; for N, the encoded size).
pub const PARTITION_KEY_BYTES_MAX: usize = 2048;
/// The longest sort key value.
pub const SORT_KEY_BYTES_MAX: usize = 1024;
/// The longest value of a secondary index's partition-key attribute (each
/// attribute of a multi-attribute key on its own), counted as for table keys.
pub const INDEX_PARTITION_KEY_BYTES_MAX: usize = PARTITION_KEY_BYTES_MAX;
/// The longest value of a secondary index's sort-key attribute.
pub const INDEX_SORT_KEY_BYTES_MAX: usize = SORT_KEY_BYTES_MAX;
/// How deeply lists and maps may nest inside an item.
pub const DOCUMENT_NESTING_DEPTH_MAX: usize = 32;

/// The most significant digits a number may carry.
pub const NUMBER_SIGNIFICANT_DIGITS_MAX: usize = 38;
/// The largest decimal exponent of a number's leading digit, so that the
/// largest magnitude is 9.9999999999999999999999999999999999999E+125.
pub const NUMBER_EXPONENT_MAX: i32 = 125;
/// The smallest decimal exponent of a number's leading digit, so that the
/// smallest positive magnitude is 1E-130.
pub const NUMBER_EXPONENT_MIN: i32 = -130;

/// Table names are 3 to 255 characters of `[a-zA-Z0-9_.-]`.
pub const TABLE_NAME_LENGTH_MIN: usize = 3;
/// See [`TABLE_NAME_LENGTH_MIN`].
pub const TABLE_NAME_LENGTH_MAX: usize = 255;
/// A table ARN may be given wherever a table name is; it may be this long.
pub const TABLE_ARN_LENGTH_MAX: usize = 1024;
/// Index names are 3 to 255 characters of `[a-zA-Z0-9_.-]`.
pub const INDEX_NAME_LENGTH_MIN: usize = 3;
/// See [`INDEX_NAME_LENGTH_MIN`].
pub const INDEX_NAME_LENGTH_MAX: usize = 255;
/// Attribute names are at least one byte long ...
pub const ATTRIBUTE_NAME_LENGTH_MIN: usize = 1;
/// ... and key attribute names at most this many bytes.
pub const KEY_ATTRIBUTE_NAME_BYTES_MAX: usize = 255;
/// Names of non-key attributes may be this long. DynamoDB documents 64 KB,
/// but refuses a name of exactly 65,536 bytes: 65,535 is the longest it
/// accepts (ScyllaDB Alternator's test_limits.py, run against AWS).
pub const ATTRIBUTE_NAME_BYTES_MAX: usize = 65_535;

/// ListTables returns at most this many names per page ...
pub const LIST_TABLES_LIMIT_MAX: usize = 100;
/// ... and takes a Limit of at least this.
pub const LIST_TABLES_LIMIT_MIN: usize = 1;

/// A resource carries at most this many tags.
pub const TAGS_PER_RESOURCE_MAX: usize = 50;
/// A tag key is 1 to 128 Unicode characters.
pub const TAG_KEY_LENGTH_MAX: usize = 128;
/// A tag value is 0 to 256 Unicode characters.
pub const TAG_VALUE_LENGTH_MAX: usize = 256;

/// A table's key schema has a partition key and at most one sort key.
pub const TABLE_KEY_SCHEMA_ELEMENTS_MAX: usize = 2;

/// Local secondary indexes per table.
pub const LOCAL_SECONDARY_INDEXES_PER_TABLE_MAX: usize = 5;
/// Global secondary indexes per table (the default quota).
pub const GLOBAL_SECONDARY_INDEXES_PER_TABLE_MAX: usize = 20;
/// Attributes named in NonKeyAttributes, summed over all of a table's indexes.
pub const PROJECTED_NON_KEY_ATTRIBUTES_MAX: usize = 100;

/// The default and largest provisioned throughput a table may ask for, in
/// capacity units (DescribeLimits reports these per account and per table).
pub const ACCOUNT_READ_CAPACITY_UNITS_MAX: u64 = 80_000;
/// See [`ACCOUNT_READ_CAPACITY_UNITS_MAX`].
pub const ACCOUNT_WRITE_CAPACITY_UNITS_MAX: u64 = 80_000;
/// See [`ACCOUNT_READ_CAPACITY_UNITS_MAX`].
pub const TABLE_READ_CAPACITY_UNITS_MAX: u64 = 40_000;
/// See [`ACCOUNT_READ_CAPACITY_UNITS_MAX`].
pub const TABLE_WRITE_CAPACITY_UNITS_MAX: u64 = 40_000;

/// One write capacity unit covers an item of up to this size.
pub const WRITE_UNIT_BYTES: usize = 1024;
/// One read capacity unit covers a strongly consistent read of up to this size.
pub const READ_UNIT_BYTES: usize = 4 * 1024;

/// The largest HTTP request body DynamoDB accepts.
pub const REQUEST_BODY_BYTES_MAX: usize = 16 * 1024 * 1024;
/// The largest request head (request line and headers) DynamoDB accepts;
/// a larger one is answered 400 before its signature is looked at.
pub const REQUEST_HEAD_BYTES_MAX: usize = 16 * 1024;

// Expression limits.

/// The longest expression string (condition, filter, key condition,
/// projection or update), counted as DynamoDB counts it: in UTF-16 code units.
pub const EXPRESSION_LENGTH_MAX: usize = 4096;
/// The most operators and functions one expression may contain.
pub const EXPRESSION_OPERATORS_MAX: usize = 300;
/// The largest size of an expression once its `#name` and `:value`
/// placeholders are counted at the size of what they stand for.
pub const EXPRESSION_TREE_SIZE_BYTES_MAX: usize = 1024 * 1024;
/// The longest key of ExpressionAttributeNames or ExpressionAttributeValues.
pub const EXPRESSION_ATTRIBUTE_KEY_LENGTH_MAX: usize = 255;
/// The most elements (names and list indexes) one document path may have.
pub const DOCUMENT_PATH_DEPTH_MAX: usize = 32;
/// The most values the right-hand side of an `IN` may list.
pub const IN_OPERANDS_MAX: usize = 100;
/// How deeply parentheses, `NOT`s and function calls may nest inside one
/// expression. DynamoDB has no such limit of its own; ferrodyn bounds the
/// parser's recursion with it. Every expression that nests deeper than this
/// already has more than [`EXPRESSION_OPERATORS_MAX`] operators, so the bound
/// rejects nothing that DynamoDB would accept.
pub const EXPRESSION_NESTING_DEPTH_MAX: usize = 640;

// Warm throughput.

/// The read units per second a new on-demand table reports as warm
/// throughput (DescribeTable's `WarmThroughput`).
pub const ON_DEMAND_WARM_READ_UNITS_PER_SECOND: i64 = 12_000;
/// The write units per second a new on-demand table reports as warm
/// throughput.
pub const ON_DEMAND_WARM_WRITE_UNITS_PER_SECOND: i64 = 4_000;

// Query and Scan.

/// A Query or Scan page ends once this many bytes of items (by DynamoDB's
/// item-size rules, counted before any filter) have been read.
pub const READ_PAGE_SIZE_BYTES_MAX: usize = 1024 * 1024;
/// The most segments a parallel Scan may have.
pub const SCAN_TOTAL_SEGMENTS_MAX: u32 = 1_000_000;

// Batch operations.

/// The most put and delete requests in one BatchWriteItem.
pub const BATCH_WRITE_REQUESTS_MAX: usize = 25;
/// The most keys in one BatchGetItem.
pub const BATCH_GET_KEYS_MAX: usize = 100;
/// BatchGetItem returns at most this many bytes of items (DynamoDB's item
/// sizes); the keys beyond come back as `UnprocessedKeys`.
pub const BATCH_GET_RESPONSE_BYTES_MAX: usize = 16 * 1024 * 1024;

/// Most actions in one TransactWriteItems or TransactGetItems call.
pub const TRANSACTION_ACTIONS_MAX: usize = 100;
/// Most bytes of items in one transaction (the aggregate size limit).
pub const TRANSACTION_SIZE_BYTES_MAX: usize = 4 * 1024 * 1024;
/// Capacity units a transaction charges per unit a plain read or write
/// would: transactions do two underlying reads or writes per item.
pub const TRANSACTION_CAPACITY_MULTIPLIER: f64 = 2.0;

/// Largest item collection (the items of one partition key value and their
/// local index entries) in a table with local secondary indexes.
pub const ITEM_COLLECTION_SIZE_BYTES_MAX: u64 = 10 * 1024 * 1024 * 1024;
