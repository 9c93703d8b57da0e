//! crashfs: a FUSE filesystem that can lose power.
//!
//! ferrodyn acknowledges a write only after RocksDB has fsynced it. A kill -9
//! test cannot check that promise: the kernel's page cache outlives the
//! process, so a write that was never fsynced still reaches the disk. crashfs
//! keeps every file in memory in two versions, what was written and what was
//! durable at the file's last fsync, and on command throws the first away,
//! as a power cut would:
//!
//! ```text
//!   ferrodyn --pwrite/fdatasync/rename/fsync(dir)--> kernel --FUSE--> crashfs
//!                                                                      |
//!   test: echo crash > <mount>/.crashfs-control  ------------------>  power loss:
//!                                                                 files := durable data
//!                                                                 dirs  := durable entries
//! ```
//!
//! What counts as durable is described in [`tree`]; the copy-on-write pages
//! that make an fsync cheap in [`pages`]; the kernel side in [`fuse`].
//! The binary `ferrodyn-crashfs <mountpoint>` mounts it (see `main.rs`).
//!
//! This is test tooling, modelled on LazyFS's "clear-cache" fault; it is not
//! part of the server and nothing in the server depends on it.

pub mod fuse;
pub mod pages;
pub mod tree;
