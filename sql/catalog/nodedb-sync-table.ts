// sql/catalog/nodedb-sync-table: nodedb_sync (issue 11), edge-to-cloud sync health as a relation in pg_catalog, so
// `SELECT * FROM nodedb_sync` works from any client. Rows come from Engine.syncStatus(): on an edge one row for its
// chain (the WAL), on the cloud one per edge incarnation; none without --sync-role. Not a PostgreSQL relation.
import type { SqlValue } from '../api.js'
import type { SyncChainStatus } from '../../engine/api.js'
import { defineTable } from './define-table.js'
import type { VirtualTable } from './virtual-table.js'

/** nodedb's own relation: an OID from PostgreSQL's unused manually-assigned range (below 10000), in no PG 15 catalog. */
export const NODEDB_SYNC_OID = 9990

const COLUMNS = `role:text node_id:text incarnation:int8 chain:text shipped_lsn:int8 applied_lsn:int8 acked_lsn:int8
  lag_records:int8 lag_seconds:float8 gaps_held:int8 duplicates_skipped:int8 writes_refused:int8 state:text last_error:text
  last_error_at:timestamptz`

function int8(value: number | null): SqlValue {
  return value === null ? null : BigInt(Math.trunc(value))
}

function rowOf(chain: SyncChainStatus): SqlValue[] {
  return [
    chain.role, chain.nodeId, int8(chain.incarnation), chain.chain, int8(chain.shippedLsn), int8(chain.appliedLsn),
    int8(chain.ackedLsn), int8(chain.lagRecords), chain.lagSeconds, int8(chain.gapsHeld), int8(chain.duplicatesSkipped),
    int8(chain.writesRefused), chain.state, chain.lastError, chain.lastErrorAtMs === null ? null : chain.lastErrorAtMs * 1000,
  ]
}

export const NODEDB_SYNC: VirtualTable = defineTable('pg_catalog', 'nodedb_sync', NODEDB_SYNC_OID, COLUMNS,
  (ctx) => (ctx.engine.syncStatus?.().chains ?? []).map(rowOf))
