// engine/sync/edge-ddl: which ops a sync edge refuses (0A000, issue 11) because the cloud could not follow them
// exactly. What ships is the WAL plus each table's schema before the rows that need it: CREATE TABLE and ADD COLUMN
// (SQL or ILP) arrive that way, in WAL order. The ops below write no WAL record, or one the cloud does not apply, and
// the cloud table they would change also holds other edges' rows, so applying them there is not the same change.
import { EngineFailureError } from '../api.js'
import type { TimeseriesOp } from '../ops.js'

const HINT = 'run it on the cloud, or on a node without --sync-role'

/** Why each refused op cannot be propagated; ops not listed run as usual. */
const REFUSED: Partial<Record<TimeseriesOp['kind'], string>> = {
  DropTableOp: 'DROP TABLE on a sync edge is not supported: it writes no WAL record, so it cannot reach the cloud in ' +
    'order with the rows, and the cloud table also holds other edges\' rows',
  TruncateTableOp: 'TRUNCATE on a sync edge is not supported: it writes no WAL record, so it cannot reach the cloud in ' +
    'order with the rows, and the cloud table also holds other edges\' rows',
  RenameTableOp: 'ALTER TABLE RENAME on a sync edge is not supported: the cloud maps tables by name and shares them ' +
    'between edges, so it would keep the old name for the rows already synced',
  RenameColumnOp: 'ALTER TABLE RENAME COLUMN on a sync edge is not supported: the cloud maps columns by name and shares ' +
    'them between edges, so the rows already synced would keep the old name',
  DropColumnOp: 'ALTER TABLE DROP COLUMN on a sync edge is not supported: the cloud keeps the column (other edges\' ' +
    'rows use it) with this edge\'s values already synced, so the two would differ',
  DeleteRowsOp: 'DELETE on a sync edge is not supported: the cloud does not apply delete records, so the rows would ' +
    'stay there',
}

/** 'NotSupported' (0A000) for an op a sync edge refuses; undefined for every other op. */
export function edgeOpRefusal(op: TimeseriesOp): EngineFailureError | undefined {
  const reason = REFUSED[op.kind]
  return reason === undefined ? undefined : new EngineFailureError({ kind: 'NotSupported', detail: `${reason} (${HINT})` })
}
