// engine/row-deleter: DELETE on the control thread. The DeleteRecord in the WAL is the commit point; the table's
// segments are rewritten (or dropped whole) into unlisted files before it and swapped in after it, with the cores'
// memtable deletes queued inside that swap, so a scan sees all of a DELETE or none of it. Replay and catch-up apply
// DeleteRecords in LSN order with the ingests. Knows nothing of SQL or sockets.
import type { Lsn, TableId } from '../src/common/ids.js'
import { DELETE_REWRITE_BYTES_MAX, SEGMENT_READS_IN_FLIGHT_MAX_COUNT } from '../src/common/limits.js'
import { log } from '../src/common/log.js'
import { EngineFailureError, type DeleteRowsResult } from './api.js'
import { exprColumns, formatExpr } from './expr.js'
import { raisingNode } from './expr-raise.js'
import type { CoreClient } from './bridge/core-client.js'
import { FrameCodec } from './bridge/frame-codec.js'
import type { CoreResponse } from './bridge/messages.js'
import type { CatalogStore } from './catalog/catalog-store.js'
import type { FlushCoordinator } from './flush-coordinator.js'
import type { DiskHealth } from './io/disk-health.js'
import type { DeleteRowsOp, TableSchema } from './ops.js'
import type { SegmentEntry } from './timeseries/manifest.js'
import type { ScanGate } from './timeseries/scan-gate.js'
import { compileWhere } from './timeseries/expr-eval.js'
import type { SegmentStore } from './timeseries/segment-store.js'
import { decodeDeletePayload, encodeDeletePayload, type DeletePredicate } from './wal/delete-payload.js'
import { checkedWhere } from './wal/expr-shape.js'
import type { WalRecord } from './wal/record.js'

export interface RowDeleterDeps {
  readonly catalog: CatalogStore
  readonly segments: SegmentStore
  /** The engine's array, mutable in place (a restarted core takes its slot). */
  readonly cores: ReadonlyArray<CoreClient>
  readonly flushes: FlushCoordinator
  readonly health: DiskHealth
  /** TableDdl's: held exclusively, so no ingest is between WAL and cores while a DELETE runs. */
  readonly ingestGate: ScanGate
  readonly coresReady: () => Promise<void>
  /** Appends a DeleteRecord; `durable` resolves when it is on disk per the fsync mode. */
  readonly appendWal: (tableId: TableId, payload: Uint8Array) => { readonly lsn: Lsn; readonly durable: Promise<unknown> }
  /** Catch-up's gate for core `core`'s part of record `lsn` (invariant 3). */
  readonly route: (core: number, lsn: Lsn) => 'send' | Promise<'send' | 'applied'>
}

/** Segments a DELETE drops or replaces, the rewritten ones (unlisted until the commit) and the rows they lose. */
interface Rewrite {
  readonly removed: SegmentEntry[]
  readonly added: SegmentEntry[]
  deletedCount: number
  /** The cores held (a restarted one is a new client) and the table's segments listed then. */
  readonly held: ReadonlyArray<CoreClient>
  readonly listed: Set<number>
}

function check(response: CoreResponse): CoreResponse {
  if (response.kind === 'FailureResponse') throw new EngineFailureError(response.failure)
  return response
}

function fail(kind: 'NoSuchTable' | 'InvalidBatch' | 'Corrupt', detail: string): EngineFailureError {
  return new EngineFailureError({ kind, detail })
}

/** `entries` in groups of at most SEGMENT_READS_IN_FLIGHT_MAX_COUNT and DELETE_REWRITE_BYTES_MAX (one at least). */
function rewriteGroups(entries: ReadonlyArray<SegmentEntry>): SegmentEntry[][] {
  const groups: SegmentEntry[][] = []
  let bytes = 0
  for (const entry of entries) {
    const last = groups[groups.length - 1]
    if (last === undefined || last.length >= SEGMENT_READS_IN_FLIGHT_MAX_COUNT || bytes + entry.sizeBytes > DELETE_REWRITE_BYTES_MAX) {
      groups.push([entry])
      bytes = entry.sizeBytes
    } else {
      last.push(entry)
      bytes += entry.sizeBytes
    }
  }
  return groups
}

/**
 * The op's predicate once it is known to apply to every row without failing: columns inside the table, a WHERE of the
 * right shape that type-checks against the table and cannot raise on any row (its DeleteRecord is written before the
 * memtables are filtered, and replay must never fail on it). Else InvalidBatch, with nothing written.
 */
function checkPredicate(table: TableSchema, op: DeleteRowsOp): DeletePredicate {
  const n = table.columns.length
  const bad = (column: number): boolean => !Number.isInteger(column) || column < 0 || column >= n
  const where = op.where === undefined || op.where === null ? null : checkedWhere(op.where)
  if (where === undefined) throw fail('InvalidBatch', `DELETE on "${table.name}": malformed WHERE expression`)
  if (op.filters.some((f) => bad(f.column)) || (where !== null && exprColumns(where.expr).some(bad))) {
    throw fail('InvalidBatch', `DELETE on "${table.name}" names a column outside 0..${n - 1}`)
  }
  if (where === null) return { timeRange: op.timeRange, filters: op.filters }
  compileWhere(table, where)
  const raising = raisingNode(where.expr)
  if (raising !== null) throw fail('InvalidBatch', `DELETE on "${table.name}": ${formatExpr(raising)} may raise an error on some row`)
  return { timeRange: op.timeRange, filters: op.filters, where }
}

export class RowDeleter {
  private readonly codec = new FrameCodec()
  /** Memtable rows catch-up deleted for the live DELETE of `liveLsn`, per core (that DELETE's count needs them). */
  private readonly caughtUp = new Map<number, number>()
  private liveLsn: number | undefined

  constructor(private readonly deps: RowDeleterDeps) {}

  /** DELETE, live: resolves with the exact count of rows deleted once segments and memtables lack them. */
  deleteRows(op: DeleteRowsOp): Promise<DeleteRowsResult> {
    return this.deps.ingestGate.write(async () => {
      await this.deps.coresReady()
      const table = this.deps.catalog.table(op.tableId)
      if (table === undefined) throw fail('NoSuchTable', `table ${op.tableId} does not exist`)
      const predicate = checkPredicate(table, op)
      return this.deps.segments.maintain(() => this.deleteLive(table, predicate))
    })
  }

  private async deleteLive(table: TableSchema, predicate: DeletePredicate): Promise<DeleteRowsResult> {
    const rewrite = await this.prepare(table, predicate, true)
    let lsn: Lsn
    try {
      const appended = this.deps.appendWal(table.id, encodeDeletePayload(this.codec, predicate))
      lsn = appended.lsn
      this.liveLsn = lsn
      await appended.durable
    } catch (error) {
      await this.abandon(rewrite)
      throw error
    }
    try {
      await this.coverRestartedCores(table, predicate, rewrite).catch((error: unknown) => {
        this.deps.health.fatal(`DELETE (wal lsn ${lsn}) could not finish after a core restart: ${String(error)}`)
        throw error
      })
      const memtableCount = await this.commit(table.id, lsn, rewrite, predicate, true)
      return { kind: 'DeleteRowsResult', rowCount: rewrite.deletedCount + memtableCount }
    } finally {
      this.liveLsn = undefined
      this.caughtUp.clear()
    }
  }

  /** Startup replay of a DeleteRecord (every earlier record applied): segments too unless they already lack its rows. */
  async replay(record: WalRecord): Promise<void> {
    const predicate = this.decode(record)
    const table = this.deps.catalog.table(record.tableId)
    if (table === undefined) throw fail('Corrupt', `wal record lsn ${record.lsn} names unknown table ${record.tableId}`)
    await this.deps.segments.maintain(async () => {
      const isSegmentsDone = record.lsn <= this.deps.segments.deletedLsn(table.id)
      const rewrite = await this.prepare(table, predicate, !isSegmentsDone)
      if (isSegmentsDone) await Promise.all(this.sendDeletes(table.id, record.lsn, predicate, false))
      else await this.commit(table.id, record.lsn, rewrite, predicate, false)
    })
  }

  /** Catch-up of one core: its memtables lose the rows (its segments were rewritten by the live DELETE or replay). */
  async applyMissed(core: number, record: WalRecord): Promise<void> {
    const predicate = this.decode(record)
    check(await this.deps.cores[core]!.request({ kind: 'HoldFlushesRequest', isHeld: true }))
    await this.deps.flushes.settled()
    const deletedCount = await this.deleteOnCore(core, record.tableId, record.lsn, predicate)
    if (record.lsn === this.liveLsn) this.caughtUp.set(core, deletedCount)
  }

  private decode(record: WalRecord): DeletePredicate {
    const predicate = decodeDeletePayload(this.codec, record.payload)
    if (predicate === undefined) throw fail('Corrupt', `wal record lsn ${record.lsn}: bad delete payload`)
    return predicate
  }

  /**
   * Holds flushes on every core and waits for the ones in flight, so every row older than the DELETE is in a listed
   * segment or a memtable the core will delete from; then (`isRewriting`) rewrites the table's segments it touches.
   */
  private async prepare(table: TableSchema, predicate: DeletePredicate, isRewriting: boolean): Promise<Rewrite> {
    const rewrite: Rewrite = { removed: [], added: [], deletedCount: 0, held: [...this.deps.cores], listed: new Set() }
    try {
      // Twice: an offer answered before the first hold may still be on its way into the coordinator's bookkeeping;
      // after a second round trip every answer before the hold has been taken, so settled() covers its flush.
      for (let round = 0; round < 2; round++) {
        await Promise.all(this.deps.cores.map(async (core) => check(await core.request({ kind: 'HoldFlushesRequest', isHeld: true }))))
        await this.deps.flushes.settled()
      }
      if (!isRewriting) return rewrite
      const listed = this.deps.segments.segments.filter((entry) => entry.tableId === table.id)
      for (const entry of listed) rewrite.listed.add(entry.id)
      const touched = listed.filter((entry) => entry.maxUs >= predicate.timeRange.fromUs && entry.minUs < predicate.timeRange.toUs)
      // Several at a time, bounded in count and bytes: their reads, core work and fsyncs overlap.
      for (const group of rewriteGroups(touched)) {
        const outcomes = await Promise.allSettled(group.map((entry) => this.rewriteOne(entry, predicate, rewrite)))
        for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason
      }
      return rewrite
    } catch (error) {
      await this.abandon(rewrite)
      throw error
    }
  }

  /**
   * A segment wholly inside the range with no filter and no WHERE is dropped unread; one whose chunk statistics rule out every
   * row is left alone unread; any other is rewritten on its core.
   */
  private async rewriteOne(entry: SegmentEntry, predicate: DeletePredicate, rewrite: Rewrite): Promise<void> {
    const { fromUs, toUs } = predicate.timeRange
    const isWhole = predicate.filters.length === 0 && (predicate.where === undefined || predicate.where === null)
    if (isWhole && entry.minUs >= fromUs && entry.maxUs < toUs) {
      rewrite.removed.push(entry)
      rewrite.deletedCount += entry.rowCount
      return
    }
    if (!(await this.deps.segments.mayPick(entry, predicate))) return
    const segment = await this.deps.segments.readWhole(entry)
    const span = { tableId: entry.tableId, vShard: entry.vShard, partitionStartUs: entry.partitionStartUs }
    const core = this.deps.cores[entry.vShard % this.deps.cores.length]!
    const response = check(await core.request({ kind: 'RewriteSegmentRequest', span, segment, predicate }))
    if (response.kind !== 'RewriteResponse') throw fail('Corrupt', `core answered ${response.kind} to a segment rewrite`)
    if (response.deletedCount === 0) return
    rewrite.removed.push(entry)
    rewrite.deletedCount += response.deletedCount
    if (response.segment !== null) rewrite.added.push(await this.deps.segments.writeUnlisted(response.segment))
  }

  /**
   * A core that crashed during the DELETE was rebuilt by catch-up, unheld: it applies the DeleteRecord to its memtables
   * in order, but may have flushed older rows first. Once it is rebuilt it is held too, and the segments listed since
   * prepare() are rewritten as well, so none keeps a picked row past the commit.
   */
  private async coverRestartedCores(table: TableSchema, predicate: DeletePredicate, rewrite: Rewrite): Promise<void> {
    if (this.deps.cores.every((core, c) => core === rewrite.held[c])) return
    await this.deps.coresReady()
    await Promise.all(this.deps.cores.map(async (core) => check(await core.request({ kind: 'HoldFlushesRequest', isHeld: true }))))
    await this.deps.flushes.settled()
    const fresh = this.deps.segments.segments.filter((entry) => entry.tableId === table.id && !rewrite.listed.has(entry.id) &&
      entry.maxUs >= predicate.timeRange.fromUs && entry.minUs < predicate.timeRange.toUs)
    log.warn({ tableId: table.id, segments: fresh.length }, 'a core restarted during DELETE; rewriting the segments it flushed')
    for (const entry of fresh) await this.rewriteOne(entry, predicate, rewrite)
  }

  /** Nothing committed: the rewritten files go and the cores may flush again. */
  private async abandon(rewrite: Rewrite): Promise<void> {
    await this.deps.segments.discardUnlisted(rewrite.added).catch((error: unknown) => log.error({ err: error }, 'unlisted DELETE segments not removed; the next open removes them'))
    await Promise.allSettled(this.deps.cores.map((core) => core.request({ kind: 'HoldFlushesRequest', isHeld: false })))
  }

  /**
   * The manifest swap (segments replaced, the table's deleted LSN = `lsn`) with every core's memtable delete queued
   * inside it. Resolves with the memtable rows deleted. A failed swap after the record is durable stops the engine
   * (as a failed fsync does): later flushes would mix rows older and newer than the DELETE in segments that a replay
   * could no longer tell apart, whereas a restart now replays the record and finishes the DELETE.
   */
  private async commit(tableId: TableId, lsn: Lsn, rewrite: Rewrite, predicate: DeletePredicate, isLive: boolean): Promise<number> {
    let sent: Array<Promise<number>> = []
    try {
      await this.deps.segments.commitDelete({ tableId, lsn, removed: rewrite.removed, added: rewrite.added },
        () => { sent = this.sendDeletes(tableId, lsn, predicate, isLive) })
    } catch (error) {
      if (sent.length === 0) {
        this.deps.health.fatal(`DELETE (wal lsn ${lsn}) could not update the manifest: ${String(error)}`)
        throw error
      }
      log.error({ err: error }, 'DELETE committed; removed segment files not deleted, the next open removes them')
    }
    const counts = await Promise.all(sent)
    return counts.reduce((sum, count) => sum + count, 0)
  }

  /** Every core's memtable delete, queued now; live ones through catch-up's gate (invariant 3). */
  private sendDeletes(tableId: TableId, lsn: Lsn, predicate: DeletePredicate, isLive: boolean): Array<Promise<number>> {
    return this.deps.cores.map((_, core) => {
      const route = isLive ? this.deps.route(core, lsn) : 'send'
      if (route === 'send') return this.deleteOnCore(core, tableId, lsn, predicate)
      return route.then((outcome) => (outcome === 'send' ? this.deleteOnCore(core, tableId, lsn, predicate) : this.caughtUp.get(core) ?? 0))
    })
  }

  private async deleteOnCore(core: number, tableId: TableId, lsn: Lsn, predicate: DeletePredicate): Promise<number> {
    const response = check(await this.deps.cores[core]!.request({ kind: 'DeleteRowsRequest', tableId, lsn, predicate }))
    this.deps.flushes.applied(core, response, undefined)
    return response.kind === 'AppliedResponse' ? response.deletedCount ?? 0 : 0
  }
}
