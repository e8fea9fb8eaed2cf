// engine/bridge/messages: what crosses a core's rings — requests (control → core) and responses (core → control).
// Plain data only; each request carries an id that its response echoes. Knows nothing of SQL or sockets.
import type { Lsn, TableId } from '../../src/common/ids.js'
import type { EngineFailure } from '../api.js'
import type { ColumnBatch, ScanPartial } from '../batch.js'
import type { ScanOp, TableSchema } from '../ops.js'

/** Sent at startup and on CREATE TABLE, to every core. */
export interface RegisterTableRequest { readonly kind: 'RegisterTableRequest'; readonly id: number; readonly table: TableSchema }

/**
 * The rows of one WAL record that this core owns: `vShards[i]` is the vShard of row i. Per vShard, the dispatcher
 * sends these in LSN order, and the ring keeps that order (design invariant 2).
 */
export interface ApplyIngestRequest {
  readonly kind: 'ApplyIngestRequest'
  readonly id: number
  readonly tableId: TableId
  readonly lsn: Lsn
  readonly batch: ColumnBatch
  readonly vShards: Uint16Array
}

export interface ScanRequest { readonly kind: 'ScanRequest'; readonly id: number; readonly op: ScanOp }
/** The core answers, then leaves its loop and the worker exits. */
export interface ShutdownRequest { readonly kind: 'ShutdownRequest'; readonly id: number }

export type CoreRequest = RegisterTableRequest | ApplyIngestRequest | ScanRequest | ShutdownRequest

export interface DoneResponse { readonly kind: 'DoneResponse'; readonly id: number }
export interface ScanResponse { readonly kind: 'ScanResponse'; readonly id: number; readonly partial: ScanPartial }
export interface FailureResponse { readonly kind: 'FailureResponse'; readonly id: number; readonly failure: EngineFailure }

export type CoreResponse = DoneResponse | ScanResponse | FailureResponse

export const CORE_REQUEST_KINDS: ReadonlySet<string> = new Set<CoreRequest['kind']>([
  'RegisterTableRequest', 'ApplyIngestRequest', 'ScanRequest', 'ShutdownRequest',
])
export const CORE_RESPONSE_KINDS: ReadonlySet<string> = new Set<CoreResponse['kind']>([
  'DoneResponse', 'ScanResponse', 'FailureResponse',
])
