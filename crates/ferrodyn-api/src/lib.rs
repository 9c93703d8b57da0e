//! The DynamoDB wire protocol for ferrodyn: JSON 1.0 over HTTP, SigV4, and
//! the mapping of every error to DynamoDB's `__type`, message and status.
//!
//! * [`service`]: the HTTP handler, the order of checks, response headers;
//! * [`server`]: the accept loop with graceful shutdown (HTTP/1.1 and h2c);
//! * [`body`]: reading request bodies within time and memory bounds;
//! * [`encoding`]: compressed request bodies and response compression;
//! * [`auth`] and [`sigv4`]: who signed a request;
//! * [`wire`]: request validation against the service model, attribute
//!   values, response pieces;
//! * [`ops`]: one handler per operation, wire JSON to core types and back;
//! * [`error`]: the error type and its one mapping to the wire.

pub mod auth;
pub mod body;
pub mod encoding;
pub mod error;
pub mod ops;
pub mod server;
pub mod service;
pub mod sigv4;
pub mod wire;
