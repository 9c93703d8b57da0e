//! A signed JSON client of one endpoint, one request at a time: what the
//! command-line tools that speak the public API (`ferrodyn streams tail`,
//! `ferrodyn backup`, `ferrodyn restore`) call it through.

use bytes::BufMut;
use serde_json::Value;

use crate::conn::{Endpoint, Reconnecting, Requests, error_of};
use crate::error::BenchError;
use crate::sigv4::Signer;
use crate::workload::Op;

/// A client of one endpoint.
pub(crate) struct Client<'a> {
    conn: Reconnecting<'a>,
    requests: Requests,
}

impl<'a> Client<'a> {
    /// A client of `endpoint` signing with `signer`.
    pub(crate) fn new(endpoint: &'a Endpoint, signer: Signer) -> Result<Client<'a>, BenchError> {
        Ok(Client {
            conn: Reconnecting::new(endpoint),
            requests: Requests::new(endpoint, signer)?,
        })
    }

    /// Sends `body` as `op` and returns the answer; an error answer is
    /// [`BenchError::Setup`] with its type and message.
    pub(crate) async fn call(&mut self, op: Op, body: Value) -> Result<Value, BenchError> {
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        let req = self
            .requests
            .build(op, bytes.len(), |b| b.put_slice(&bytes))?;
        let (status, body) = self.conn.call(req).await?;
        if !status.is_success() {
            let (error_type, message) = error_of(status, &body);
            return Err(BenchError::Setup {
                operation: op.name(),
                error_type,
                message,
            });
        }
        Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
}
