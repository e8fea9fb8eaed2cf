// sql/worker-api: the part of sql/api.ts an ILP parse worker needs (its batches' record payloads encoded ahead), as a
// facade of its own so that the worker loads ingest-ahead.ts and the engine's encoders, not the SQL engine (~80 ms of
// CPU per worker start with the logger: wire/ilp/parse-transfer.ts). sql/api.ts re-exports it.
export { encodeBatchesAhead, encodedTransferables, IngestEncodeBuffers, leanAhead, type IngestTableSchema } from './ingest/ingest-ahead.js'
