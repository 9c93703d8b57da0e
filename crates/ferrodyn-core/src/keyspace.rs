//! How ferrodyn lays its data out in the engine's single ordered key space.
//!
//! ```text
//! 0x00 | name                         -> meta values (e.g. "next_table_id": u64 BE)
//! 0x01 | account 0x00 | region 0x00 | table name -> table metadata (catalog.rs)
//! 0x02 | item key (ferrodyn_model::keycode)      -> item (ferrodyn_model::codec)
//! 0x03 | table or index id (u64 BE) | counter id (u8) -> i64 LE merge counter
//! 0x04 | account 0x00 | ClientRequestToken     -> idempotency record (transactions.rs)
//! 0x05 | index id (u64 BE) | index key | table key -> projected item (index.rs)
//! 0x06 | account 0x00 | region 0x00 | backup id -> backup record (backup/mod.rs)
//! 0x07 | account 0x00 | region 0x00 | export id -> export record (export.rs)
//! ```
//!
//! **Invariant:** table ids are never reused, so dropping a table's data with
//! one range delete can never touch a newer table of the same name.

/// Prefix of meta values.
pub const META: u8 = 0x00;
/// Prefix of catalog entries.
pub const CATALOG: u8 = 0x01;
/// Prefix of items.
pub const ITEMS: u8 = 0x02;
/// Prefix of per-table counters.
pub const COUNTERS: u8 = 0x03;

/// Prefix of transaction idempotency records.
pub const IDEMPOTENCY: u8 = 0x04;

/// Prefix of secondary index entries.
pub const INDEX_ENTRIES: u8 = 0x05;

/// Prefix of backup records.
pub const BACKUPS: u8 = 0x06;

/// Prefix of export records.
pub const EXPORTS: u8 = 0x07;

/// The counter of a table's items.
pub const COUNTER_ITEM_COUNT: u8 = 1;
/// The counter of a table's size in bytes.
pub const COUNTER_SIZE_BYTES: u8 = 2;
/// The counters of the sizes of item collections (tables with local
/// indexes), followed by the encoded partition key value.
pub const COUNTER_COLLECTION_BYTES: u8 = 3;

/// The meta key holding the next table id to allocate.
pub fn next_table_id_key() -> Vec<u8> {
    let mut k = vec![META];
    k.extend_from_slice(b"next_table_id");
    k
}

/// The meta key whose presence says that the change logs hold no record of
/// the first format (its value: the format version, one byte).
pub fn change_format_key() -> Vec<u8> {
    let mut k = vec![META];
    k.extend_from_slice(b"change_log_format");
    k
}

/// The meta key holding the key that signs shard iterators (32 bytes).
pub fn iterator_key_key() -> Vec<u8> {
    let mut k = vec![META];
    k.extend_from_slice(b"stream_iterator_key");
    k
}

/// The meta key holding where a Kinesis destination's publisher continues
/// (the next sequence of its capture log, u64 BE).
pub fn kinesis_cursor_key(table_id: u64, capture_shard: u64) -> Vec<u8> {
    let mut k = vec![META];
    k.extend_from_slice(b"kinesis_cursor");
    k.extend_from_slice(&table_id.to_be_bytes());
    k.extend_from_slice(&capture_shard.to_be_bytes());
    k
}

/// The catalog key of a table.
pub fn catalog_key(account: &str, region: &str, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(3 + account.len() + region.len() + name.len());
    k.push(CATALOG);
    k.extend_from_slice(account.as_bytes());
    k.push(0);
    k.extend_from_slice(region.as_bytes());
    k.push(0);
    k.extend_from_slice(name.as_bytes());
    k
}

/// The first byte of every item key of `table_id`, plus the id itself.
pub fn table_items_prefix(table_id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(ITEMS);
    k.extend_from_slice(&table_id.to_be_bytes());
    k
}

/// The key of one of a table's counters.
pub fn counter_key(table_id: u64, counter: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(10);
    k.push(COUNTERS);
    k.extend_from_slice(&table_id.to_be_bytes());
    k.push(counter);
    k
}

/// All counters of a table, as a `[start, end)` range.
pub fn counters_range(table_id: u64) -> (Vec<u8>, Vec<u8>) {
    let mut start = vec![COUNTERS];
    start.extend_from_slice(&table_id.to_be_bytes());
    let mut end = start.clone();
    end.push(0xFF);
    (start, end)
}

/// The key of a `ClientRequestToken`'s idempotency record.
pub fn idempotency_key(account: &str, token: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + account.len() + token.len());
    k.push(IDEMPOTENCY);
    k.extend_from_slice(account.as_bytes());
    k.push(0);
    k.extend_from_slice(token.as_bytes());
    k
}

/// The first byte of every entry of index `index_id`, plus the id itself.
pub fn index_entries_prefix(index_id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(INDEX_ENTRIES);
    k.extend_from_slice(&index_id.to_be_bytes());
    k
}

/// The key of the size counter of one item collection: the table's
/// counter prefix, then the encoded partition key value.
pub fn collection_counter_key(table_id: u64, encoded_partition: &[u8]) -> Vec<u8> {
    let mut k = counter_key(table_id, COUNTER_COLLECTION_BYTES);
    k.extend_from_slice(encoded_partition);
    k
}

/// The key of a backup's record. Backup ids start with their creation
/// time, so an account's backups are listed in creation order.
pub fn backup_key(account: &str, region: &str, id: &str) -> Vec<u8> {
    let mut k = backups_prefix(account, region);
    k.extend_from_slice(id.as_bytes());
    k
}

/// The first bytes of every backup record of an account in a region.
pub fn backups_prefix(account: &str, region: &str) -> Vec<u8> {
    regional_prefix(BACKUPS, account, region)
}

/// The key of export `id`'s record.
pub fn export_key(account: &str, region: &str, id: &str) -> Vec<u8> {
    let mut k = exports_prefix(account, region);
    k.extend_from_slice(id.as_bytes());
    k
}

/// The first bytes of every export record of an account in a region.
pub fn exports_prefix(account: &str, region: &str) -> Vec<u8> {
    regional_prefix(EXPORTS, account, region)
}

fn regional_prefix(kind: u8, account: &str, region: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(3 + account.len() + region.len());
    k.push(kind);
    k.extend_from_slice(account.as_bytes());
    k.push(0);
    k.extend_from_slice(region.as_bytes());
    k.push(0);
    k
}
