//! ExportTableToPointInTime: records an export `IN_PROGRESS` and answers
//! at once; the background jobs write the table's items as of
//! `ExportTime` to the object store (`export.rs`).

use crate::backup::timed_id;
use crate::context::RequestContext;
use crate::database::Database;
use crate::error::{CoreError, Result};
use crate::export::{ExportMeta, ExportStatus};
use crate::table::{PointInTimeSource, parse_table_arn};

/// ExportTableToPointInTime's input.
#[derive(Clone, Debug, Default)]
pub struct ExportTableToPointInTimeInput {
    /// `TableArn`.
    pub table_arn: String,
    /// `ExportTime`, epoch milliseconds.
    pub export_time_millis: Option<i64>,
    /// `ClientToken` (the SDKs fill one in).
    pub client_token: Option<String>,
    /// `S3Bucket`.
    pub bucket: String,
    /// `S3BucketOwner`.
    pub bucket_owner: Option<String>,
    /// `S3Prefix`.
    pub prefix: Option<String>,
    /// `S3SseAlgorithm`.
    pub sse_algorithm: Option<String>,
    /// `S3SseKmsKeyId`.
    pub sse_kms_key_id: Option<String>,
    /// `ExportFormat`.
    pub format: Option<String>,
    /// `ExportType`.
    pub export_type: Option<String>,
    /// Whether `IncrementalExportSpecification` was sent.
    pub incremental_specification: bool,
}

impl Database {
    /// ExportTableToPointInTime. AWS's checks, in the order observed: the
    /// ARN, the encryption and type combinations, the table, its
    /// recovery, the instant, the client token.
    pub fn export_table_to_point_in_time(
        &self,
        ctx: &RequestContext,
        input: ExportTableToPointInTimeInput,
    ) -> Result<ExportMeta> {
        if input.table_arn.contains("/index/") {
            return Err(CoreError::validation(
                "Invalid Request: Table ARN is invalid.",
            ));
        }
        if parse_table_arn(&input.table_arn).is_none() {
            return Err(CoreError::validation(
                "One or more parameter values were invalid: tableArn is not a valid ARN",
            ));
        }
        let sse_algorithm = input
            .sse_algorithm
            .clone()
            .unwrap_or_else(|| "AES256".into());
        if input.sse_kms_key_id.is_some() && sse_algorithm != "KMS" {
            return Err(CoreError::validation(
                "Invalid Request: KMS Key Id is not supported for this encryption type",
            ));
        }
        match (
            input.export_type.as_deref(),
            input.incremental_specification,
        ) {
            (None, true) => {
                return Err(CoreError::validation(
                    "Invalid Request: Export Type expected to be Incremental Export when incremental export specification is provided",
                ));
            }
            (Some("FULL_EXPORT"), true) => {
                return Err(CoreError::validation(
                    "Invalid Request: When Export Type is Full Export , Incremental Export Specification should not be provided",
                ));
            }
            (Some("INCREMENTAL_EXPORT"), false) => {
                return Err(CoreError::validation(
                    "Invalid Request: Incremental Export Specification expected when export type is set as Incremental Export",
                ));
            }
            (Some("INCREMENTAL_EXPORT"), true) => {
                // Not AWS's: docs/compatibility.md.
                return Err(CoreError::validation(
                    "Invalid Request: Incremental exports are not supported by ferrodyn yet",
                ));
            }
            _ => {}
        }
        self.export_store()?;
        let table = self
            .resolve_table(ctx, &input.table_arn, str::to_owned)
            .map_err(|e| match e {
                CoreError::ResourceNotFound(_) => {
                    CoreError::TableNotFound(format!("Table not found: {}", input.table_arn))
                }
                other => other,
            })?;
        let Some((pitr, log_shard)) = table.pitr.as_ref().and_then(|p| Some((p, p.log_shard?)))
        else {
            return Err(CoreError::PointInTimeRecoveryUnavailable(format!(
                "Point in time recovery is not enabled for table '{}'",
                table.name
            )));
        };
        let now = self.clock.now_millis();
        if let Some(t) = input.export_time_millis {
            let (earliest, latest) = self.restorable_window(pitr);
            if t > now || t < earliest {
                return Err(CoreError::InvalidExportTime(
                    "Export Time is invalid".into(),
                ));
            }
            if t > latest {
                return Err(CoreError::InvalidExportTime(
                    "Point in Time Recovery is not available for specified export time".into(),
                ));
            }
        }
        let format = input
            .format
            .clone()
            .unwrap_or_else(|| "DYNAMODB_JSON".into());
        if let Some(token) = &input.client_token {
            let earlier = self
                .export_records(&ctx.account_id, &ctx.region)?
                .into_iter()
                .find(|e| &e.client_token == token);
            if let Some(earlier) = earlier {
                let same = earlier.table.id == table.id
                    && earlier.bucket == input.bucket
                    && earlier.bucket_owner == input.bucket_owner
                    && earlier.prefix == input.prefix
                    && earlier.format == format
                    && earlier.sse_algorithm == sse_algorithm
                    && earlier.sse_kms_key_id == input.sse_kms_key_id
                    && earlier.export_type == input.export_type;
                return if same {
                    Ok(earlier)
                } else {
                    Err(CoreError::ExportConflict(
                        "Export conflict: Duplicate request detected with conflicting parameters"
                            .into(),
                    ))
                };
            }
        }
        let meta = ExportMeta {
            id: timed_id(now),
            table: (*table).clone(),
            source: PointInTimeSource {
                table_id: table.id,
                log_shard,
            },
            status: ExportStatus::InProgress,
            start_millis: now,
            end_millis: None,
            export_millis: input.export_time_millis.unwrap_or(now),
            client_token: input
                .client_token
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            bucket: input.bucket,
            bucket_owner: input.bucket_owner,
            prefix: input.prefix,
            sse_algorithm,
            sse_kms_key_id: input.sse_kms_key_id,
            format,
            export_type: input.export_type,
            item_count: None,
            billed_size_bytes: None,
            failure_code: None,
            failure_message: None,
        };
        self.start_export(&meta)?;
        Ok(meta)
    }
}
