// engine/sync/protocol: what travels on NATS JetStream between an edge's shipper and the cloud's applier (issue 11) —
// stream, subject and header names, the catalog message, and the bounds. Pinned by test/integration/sync*.test.ts.
// Knows nothing of sockets beyond these names.
import type { TableSchema } from '../ops.js'

/** The edge's outbox stream, in the edge's own JetStream domain (its node id). */
export const SYNC_STREAM = 'NDB_WAL'
/** The cloud's durable pull consumer on every edge's stream; its ack floor is what the edge may forget. */
export const SYNC_CONSUMER = 'ndb_cloud'
/** JetStream KV bucket (hub domain) where edges register; the cloud starts one applier per key. */
export const SYNC_EDGES_BUCKET = 'ndb_edges'
/** Largest message body; a WAL record above it ships in parts (nats-config sets max_payload to 8 MB). */
export const SYNC_MESSAGE_BYTES_MAX = 4 * 1024 * 1024
/** Publishes awaiting their JetStream ack at once (the shipper's window). */
export const SYNC_PUBLISH_WINDOW_COUNT = 256
/** Messages one cloud fetch asks for; also the consumer's max_ack_pending. */
export const SYNC_FETCH_COUNT = 512
/** How often the shipper looks for newly durable WAL records and for the cloud's ack floor. */
export const SYNC_POLL_MS = 100
/** Back-off after a NATS error (hub down, edge server down, outbox full) before resuming from the stream's state. */
export const SYNC_RETRY_MS = 500
/** Consumer ack_wait: an unacked message (applier killed mid-batch) is delivered again after this. */
export const SYNC_ACK_WAIT_MS = 4000

export const HEADER_LSN = 'Ndb-Lsn'
export const HEADER_PREV_LSN = 'Ndb-Prev-Lsn'
export const HEADER_KIND = 'Ndb-Kind'
/** `<nodeId>:<incarnation>`: the source whose LSN chain the message belongs to. */
export const HEADER_SOURCE = 'Ndb-Source'
/**
 * '1' on the first record shipped when the stream holds nothing of this source (a new incarnation, or the edge's
 * JetStream store was lost): its Ndb-Prev-Lsn may be unknown, and the WAL records before it were either acknowledged
 * by the cloud (that is what let them be deleted) or are shipped before it, so the cloud applies it past its mark.
 */
export const HEADER_RESYNC = 'Ndb-Resync'
/** `i/n` when a record ships in n parts (i from 1); absent for a whole record. */
export const HEADER_PART = 'Ndb-Part'

/** 'wal': a WAL record byte-exact (its CRC included); 'catalog': a table schema the records after it need. */
export type SyncMessageKind = 'wal' | 'catalog'

export function walSubject(nodeId: string): string { return `ndb.wal.${nodeId}.wal` }
/** One subject per table, so the cloud can fetch a table's latest schema (last_by_subj) after its own restart. */
export function catalogSubject(nodeId: string, tableId: number): string { return `ndb.wal.${nodeId}.catalog.${tableId}` }
export function streamSubjects(nodeId: string): string[] { return [`ndb.wal.${nodeId}.>`] }
export function sourceOf(nodeId: string, incarnation: number): string { return `${nodeId}:${incarnation}` }

export function parseSource(text: string): { nodeId: string; incarnation: number } | undefined {
  const match = /^([A-Za-z0-9_-]+):(\d+)$/.exec(text)
  return match === null ? undefined : { nodeId: match[1]!, incarnation: Number(match[2]) }
}

/** The catalog message body: the edge's table schema as JSON (ids are the edge's; the cloud maps by name). */
export function encodeCatalogMessage(table: TableSchema): Uint8Array {
  return Buffer.from(JSON.stringify(table))
}

export function decodeCatalogMessage(bytes: Uint8Array): TableSchema | undefined {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null || !('id' in value) || !('name' in value) || !('columns' in value) ||
    !('timestampIndex' in value) || typeof value.name !== 'string' || !Array.isArray(value.columns)) return undefined
  // The columns are checked again by the cloud's catalog when it creates or extends the table.
  return value as TableSchema
}

/** A fingerprint of what the cloud needs of a schema: column names and kinds in order. */
export function schemaFingerprint(table: TableSchema): string {
  return `${table.name}|${table.timestampIndex}|${table.columns.map((c) => `${c.name}:${c.kind}`).join(',')}`
}
