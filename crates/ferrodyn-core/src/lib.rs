//! DynamoDB's semantics, free of HTTP and JSON.
//!
//! A request reaches the core as a typed input (built and validated by the
//! wire layer) plus a [`RequestContext`] naming the caller's account and
//! region. The operation runs against a [`Database`]: the [`catalog`] of
//! tables over a storage [`Engine`](ferrodyn_storage::Engine). Every item
//! write goes through one path, `Database::write_item`, which reads the
//! item, decides the new state, and commits it atomically with the change
//! record and table counters, retrying if the item changed in between.
//!
//! ```text
//! api (wire types) --typed input--> ops::<operation> --> Database::write_item / read_item
//!                                                         |-> catalog (tables, cached)
//!                                                         '-> Engine (bytes)
//! ```

pub mod backfill;
pub mod backup;
pub mod capacity;
pub mod catalog;
pub mod change;
pub mod clock;
pub mod context;
pub mod database;
pub mod error;
pub mod export;
pub mod expressions;
pub mod index;
pub mod item;
pub mod jobs;
pub mod keyspace;
pub mod kinesis;
pub mod ops;
pub mod read;
pub mod stream;
pub mod stream_log;
pub mod table;
pub mod transactions;
pub mod ttl;
mod walk;

pub use context::RequestContext;
pub use database::Database;
pub use error::{CancellationCode, CancellationReason, CoreError, Result};
pub use ferrodyn_storage::{Durability, WriteHealth, cached_reads_only, deferred_durability};
