// sql/exec/pending-writes: a session's transaction (SessionContext.writes). While wire says the session is in one (a
// BEGIN block, a multi-statement Query, the Executes before a Sync), INSERT's and COPY's built ColumnBatches wait here
// instead of reaching the engine, and CREATE TABLE / CREATE VIEW leave an undo. COMMIT applies the rows of every table
// as one engine commit (all or nothing, also across a crash); ROLLBACK runs the undos and drops the rows; ROLLBACK TO
// SAVEPOINT does both past a mark.
// Knows nothing of the protocol: wire drives the boundaries (wire/pg/transaction-block.ts).
import type { Engine } from '../../engine/api.js'
import type { ColumnBatch, ColumnVector } from '../../engine/batch.js'
import { OP_VERSION } from '../../engine/ops.js'
import { configurationLimitExceeded, DbError } from '../../src/common/errors.js'
import type { TableId } from '../../src/common/ids.js'
import { withEngineErrors } from '../errors.js'
import { concatVectors } from './column-sort.js'

interface PendingIngest { readonly kind: 'ingest'; readonly tableId: TableId; readonly batch: ColumnBatch; readonly byteCount: number }
/** Undoes a statement that ran at once (CREATE TABLE → DROP TABLE), run in reverse order at ROLLBACK. */
interface PendingUndo { readonly kind: 'undo'; readonly undo: (engine: Engine) => Promise<unknown> }
/** Ends something the transaction holds (an xact advisory lock) at COMMIT and at ROLLBACK alike. */
interface PendingRelease { readonly kind: 'release'; readonly release: () => void }
/** Takes effect at COMMIT only (LISTEN, NOTIFY): dropped at ROLLBACK or ROLLBACK TO a savepoint before it. Stage 0 runs before stage 1. */
interface PendingCommit { readonly kind: 'commit'; readonly stage: 0 | 1; readonly commit: () => void; readonly drop: () => void }
type PendingEntry = PendingIngest | PendingUndo | PendingRelease | PendingCommit

/** The pending-bytes bounds: per session (--transaction-buffer-mb) and over every session of the server. */
export class TransactionBudget {
  byteCount = 0
  constructor(readonly sessionBytesMax: number, readonly totalBytesMax: number) {}
}

/** Estimated bytes a batch holds, as COPY counts them (8 per number, 4 per tag id, text by length): what the budgets count. */
export function batchByteCount(batch: ColumnBatch): number {
  let bytes = 0
  for (const vector of batch.columns) {
    if (vector.kind === 'text') for (const value of vector.values) bytes += value === null ? 0 : value.length
    else if (vector.kind === 'symbol') bytes += vector.ids.byteLength
    else bytes += vector.values.byteLength
  }
  return bytes
}

/** A vector of `rowCount` NULLs (a column a batch built before ADD COLUMN lacks). */
export function nullVector(kind: ColumnVector['kind'], rowCount: number): ColumnVector {
  switch (kind) {
    case 'symbol': return { kind, ids: new Int32Array(rowCount).fill(-1), dict: [] }
    case 'text': return { kind, values: new Array<null>(rowCount).fill(null) }
    case 'i64': return { kind, values: new BigInt64Array(rowCount), nulls: new Uint8Array(rowCount).fill(1) }
    case 'bool': return { kind, values: new Uint8Array(rowCount), nulls: new Uint8Array(rowCount).fill(1) }
    default: return { kind, values: new Float64Array(rowCount), nulls: new Uint8Array(rowCount).fill(1) }
  }
}

/**
 * One table's batches, in statement order, as one batch (one WAL record). A batch built before a column was added
 * (ILP adds columns as it goes) covers a prefix of the columns: its rows read NULL in the rest, as the engine reads it.
 */
async function joinBatches(batches: ReadonlyArray<ColumnBatch>): Promise<ColumnBatch> {
  if (batches.length === 1) return batches[0]!
  const rowCount = batches.reduce((sum, batch) => sum + batch.rowCount, 0)
  const width = Math.max(...batches.map((batch) => batch.columns.length))
  const columns: ColumnVector[] = []
  const sliced = { sliceWork: 0 } // pauses between parts on the event loop (no signal: a COMMIT is not cancelled half-way)
  for (let c = 0; c < width; c++) {
    const kind = batches.find((batch) => batch.columns.length > c)!.columns[c]!.kind
    columns.push(await concatVectors(batches.map((batch) => batch.columns[c] ?? nullVector(kind, batch.rowCount)), rowCount, sliced))
  }
  return { rowCount, columns }
}

export class SessionWrites {
  /** Set by wire: statements run inside a transaction (block or implicit), so writes wait for its end. */
  isInTransaction = false
  /** Set by wire: inside a BEGIN block, where a statement nothing can undo is refused (transaction-statement.ts). */
  isInBlock = false
  /** Statements of an implicit transaction that ran at once with no undo: a failure after them names them. */
  irreversible: string[] = []
  private entries: PendingEntry[] = []
  private readonly tableIngests = new Map<TableId, number>()
  private byteCount = 0
  private engine: Engine | null = null
  private budget: TransactionBudget | null = null

  /** A savepoint's position: ROLLBACK TO undoes what came after it. */
  get mark(): number { return this.entries.length }

  get isEmpty(): boolean { return this.entries.length === 0 }

  /** Whether this transaction has rows for the table that are not applied (a read of it must not miss them). */
  hasPendingRows(tableId: TableId): boolean { return (this.tableIngests.get(tableId) ?? 0) > 0 }

  /** Whether any table has rows not applied yet. */
  get hasAnyPendingRows(): boolean { return this.tableIngests.size > 0 }

  /** The table's uncommitted batches, in statement order (read-your-writes: transaction-statement.ts). */
  pendingBatches(tableId: TableId): ColumnBatch[] {
    return this.entries.flatMap((entry) => (entry.kind === 'ingest' && entry.tableId === tableId ? [entry.batch] : []))
  }

  /** Keeps an INSERT's or COPY's batch for COMMIT; 53400 past the session's or the server's budget. */
  buffer(engine: Engine, budget: TransactionBudget, tableId: TableId, batch: ColumnBatch): void {
    const byteCount = batchByteCount(batch)
    const isOverSession = this.byteCount + byteCount > budget.sessionBytesMax
    if (isOverSession || budget.byteCount + byteCount > budget.totalBytesMax) {
      throw configurationLimitExceeded(
        `transaction buffer exceeded: ${this.byteCount + byteCount} bytes of uncommitted rows in this session, ` +
        `${budget.byteCount + byteCount} in all sessions`,
        `rows written inside a transaction are held in memory until COMMIT (at most ${budget.sessionBytesMax} bytes per session, ` +
        `--transaction-buffer-mb, and ${budget.totalBytesMax} in all). Commit in smaller transactions, or write in autocommit mode.`)
    }
    this.attach(engine, budget)
    this.entries.push({ kind: 'ingest', tableId, batch, byteCount })
    this.tableIngests.set(tableId, (this.tableIngests.get(tableId) ?? 0) + 1)
    this.byteCount += byteCount
    budget.byteCount += byteCount
  }

  /** Records how to undo a statement that ran at once (CREATE TABLE, CREATE VIEW). */
  addUndo(engine: Engine, undo: PendingUndo['undo']): void {
    this.engine ??= engine
    this.entries.push({ kind: 'undo', undo })
  }

  /** Runs `release` when the transaction ends, or at a ROLLBACK TO a savepoint made before this call. */
  holdUntilEnd(release: () => void): void {
    this.entries.push({ kind: 'release', release })
  }

  /** Runs `commit` at COMMIT (every stage 0 one before any stage 1 one), `drop` when a rollback undoes it instead. */
  atCommit(stage: 0 | 1, commit: () => void, drop: () => void): void {
    this.entries.push({ kind: 'commit', stage, commit, drop })
  }

  /** An error failed the block: what it holds since `mark` (the innermost savepoint) is released now, as PostgreSQL's abort does. */
  releaseAfter(mark: number): void {
    const later = this.entries.splice(mark)
    for (const entry of [...later].reverse()) if (entry.kind === 'release') entry.release()
    this.entries.push(...later.filter((entry) => entry.kind !== 'release'))
  }

  /** ROLLBACK TO SAVEPOINT: drops the rows written after `mark` and runs the undos and releases after it, newest first. */
  async rollbackTo(mark: number): Promise<void> {
    const dropped = this.entries.splice(mark)
    this.release(dropped)
    const engine = this.engine
    for (const entry of dropped.reverse()) {
      if (entry.kind === 'release') entry.release()
      else if (entry.kind === 'commit') entry.drop()
      else if (entry.kind === 'undo' && engine !== null) await withEngineErrors(() => entry.undo(engine))
    }
    if (this.entries.length === 0) this.irreversible = []
  }

  /** ROLLBACK, a failed implicit transaction: everything undone. */
  rollback(): Promise<void> {
    this.irreversible = []
    return this.rollbackTo(0)
  }

  /**
   * COMMIT: every table's rows as one engine commit (Engine.ingestAtomic: one WAL part per table, one commit record),
   * in the order tables were first written; resolves once it is durable and applied. A failure rolls everything back
   * (exact). An engine without ingestAtomic (test fakes) gets one IngestOp per table: a failure after one was applied
   * names the tables already committed in its detail (their rows stay) and the rest is dropped.
   */
  async commit(): Promise<void> {
    const entries = this.entries
    const engine = this.engine
    this.entries = []
    this.irreversible = []
    const byTable = new Map<TableId, ColumnBatch[]>()
    for (const entry of entries) if (entry.kind === 'ingest') byTable.set(entry.tableId, [...(byTable.get(entry.tableId) ?? []), entry.batch])
    const committed: string[] = []
    let isRolledBack = false
    try {
      if (byTable.size > 1 && engine!.ingestAtomic !== undefined) {
        const parts: Array<{ tableId: TableId; batch: ColumnBatch }> = []
        for (const [tableId, batches] of byTable) parts.push({ tableId, batch: await joinBatches(batches) })
        await withEngineErrors(() => engine!.ingestAtomic!(parts))
        byTable.clear()
      }
      for (const [tableId, batches] of byTable) {
        const batch = await joinBatches(batches)
        await withEngineErrors(() => engine!.execute({ kind: 'IngestOp', v: OP_VERSION, tableId, batch }))
        committed.push(engine!.tables().find((table) => table.id === tableId)?.name ?? String(tableId))
      }
    } catch (error) {
      if (committed.length > 0) throw withCommittedDetail(error, committed)
      this.entries = entries
      isRolledBack = true
      await this.rollback()
      throw error
    } finally {
      if (!isRolledBack) {
        this.release(entries)
        for (const entry of entries) if (entry.kind === 'release') entry.release()
        for (const stage of [0, 1]) for (const entry of entries) if (entry.kind === 'commit' && entry.stage === stage) entry.commit()
      }
    }
  }

  private attach(engine: Engine, budget: TransactionBudget): void {
    this.engine ??= engine
    this.budget ??= budget
  }

  private release(entries: ReadonlyArray<PendingEntry>): void {
    for (const entry of entries) {
      if (entry.kind !== 'ingest') continue
      this.byteCount -= entry.byteCount
      if (this.budget !== null) this.budget.byteCount -= entry.byteCount
      const count = (this.tableIngests.get(entry.tableId) ?? 1) - 1
      if (count === 0) this.tableIngests.delete(entry.tableId)
      else this.tableIngests.set(entry.tableId, count)
    }
  }
}

function withCommittedDetail(error: unknown, committed: ReadonlyArray<string>): unknown {
  if (!(error instanceof DbError)) return error
  const detail = `COMMIT applied the rows of ${committed.map((name) => `"${name}"`).join(', ')} before this failure; ` +
    'the rows of the other tables were not written'
  return new DbError({ ...error, message: error.message, detail })
}
