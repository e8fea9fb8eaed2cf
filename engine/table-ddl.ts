// engine/table-ddl: the ops that change tables rather than rows — create, add/rename/drop columns, rename, DROP TABLE,
// TRUNCATE — on the control thread: catalog first or manifest first (whichever is the op's commit point), then every
// core. Also the gate that keeps ingests out while a table's rows are being dropped. Knows nothing of SQL or sockets.
import { log } from '../src/common/log.js'
import type { TableId } from '../src/common/ids.js'
import {
  EngineFailureError, type AddColumnsResult, type AlterTableResult, type CreateTableResult, type DeleteRowsResult,
  type DropTableResult, type TruncateTableResult,
} from './api.js'
import type { CoreClient } from './bridge/core-client.js'
import type { CoreResponse } from './bridge/messages.js'
import type { CatalogStore } from './catalog/catalog-store.js'
import type { FlushCoordinator } from './flush-coordinator.js'
import type { DiskHealth } from './io/disk-health.js'
import { RowDeleter, type RowDeleterDeps } from './row-deleter.js'
import type {
  AddColumnsOp, CreateTableOp, DeleteRowsOp, DropColumnOp, DropTableOp, RenameColumnOp, RenameTableOp, SetColumnDefaultOp, TableSchema,
  TruncateTableOp,
} from './ops.js'
import { ScanGate } from './timeseries/scan-gate.js'
import type { WalRecord } from './wal/record.js'
import type { SegmentStore } from './timeseries/segment-store.js'

export interface TableDdlDeps {
  readonly catalog: CatalogStore
  readonly segments: SegmentStore
  /** The engine's array, mutable in place (a restarted core takes its slot). */
  readonly cores: ReadonlyArray<CoreClient>
  readonly flushes: FlushCoordinator
  /** The highest LSN the WAL has assigned. */
  readonly lastAssignedLsn: () => number
  /** Resolves once no core is being restarted (a rebuild replays WAL records and must see the op wholly or not). */
  readonly coresReady: () => Promise<void>
  /** DELETE (row-deleter.ts): where a manifest failure after its WAL record goes, and the WAL and catch-up. */
  readonly health: DiskHealth
  readonly appendWal: RowDeleterDeps['appendWal']
  readonly route: RowDeleterDeps['route']
}

export type AlterTableOp = RenameTableOp | RenameColumnOp | DropColumnOp | SetColumnDefaultOp

function checkResponse(response: CoreResponse): CoreResponse {
  if (response.kind === 'FailureResponse') throw new EngineFailureError(response.failure)
  return response
}

export class TableDdl {
  /**
   * Ingests hold a shared lease from their catalog check until every core applied their rows; DROP TABLE and
   * TRUNCATE hold it exclusively. So when they pick their point (the last assigned LSN) no ingest of the table is
   * between WAL and cores: every row at or below it is already on a core's ring ahead of the drop, every later one
   * behind it (and WAL'd above it). The class is the scan gate's: writers go first, which is what DDL wants too.
   */
  readonly ingestGate = new ScanGate()

  private readonly deletes: RowDeleter

  constructor(private readonly deps: TableDdlDeps) {
    deps.segments.isTableLive = (tableId) => deps.catalog.table(tableId) !== undefined
    this.deletes = new RowDeleter({ ...deps, ingestGate: this.ingestGate })
  }

  /** DELETE (DeleteRowsOp): see row-deleter.ts. */
  deleteRows(op: DeleteRowsOp): Promise<DeleteRowsResult> {
    return this.deletes.deleteRows(op)
  }

  /** Replay: true when `record` is a DeleteRecord, replayed once every earlier record (`applied`) is. */
  async replayedDelete(record: WalRecord, applied: ReadonlyArray<Promise<unknown>>): Promise<boolean> {
    if (record.kind !== 'DeleteRecord') return false
    await Promise.all(applied)
    await this.deletes.replay(record)
    return true
  }

  /** Catch-up: true when `record` is a DeleteRecord, now applied to core `core`'s memtables. */
  async appliedMissedDelete(core: number, record: WalRecord): Promise<boolean> {
    if (record.kind !== 'DeleteRecord') return false
    await this.deletes.applyMissed(core, record)
    return true
  }

  /** CHECKPOINT: a DELETE holds the cores' flushes while it runs, so a forced flush waits until it is done. */
  async outsideDeletes<T>(body: () => Promise<T>): Promise<T> {
    const release = await this.ingestGate.read()
    return body().finally(release)
  }

  /** At open, before replay: finishes a DROP TABLE cut short after its catalog commit (its segments leave now). */
  async removeDroppedSegments(): Promise<void> {
    const { catalog, segments } = this.deps
    const isDropped = (tableId: TableId) => catalog.table(tableId) === undefined
    if (!segments.segments.some((entry) => isDropped(entry.tableId)) && !segments.flushedLsns().some((e) => isDropped(e.tableId))) return
    log.warn('segments of dropped tables found in the manifest (a DROP TABLE cut short); removing them')
    await segments.maintain(() => segments.dropTables(isDropped))
  }

  /**
   * A WAL record with no live rows: its table was dropped (ids are never reused), or truncated at or after it. Replay
   * and catch-up skip it, which is what keeps a DROP or TRUNCATE from being undone by the WAL.
   */
  isDeadRecord(record: Pick<WalRecord, 'tableId' | 'lsn'>): boolean {
    return this.deps.catalog.isDropped(record.tableId) || record.lsn <= this.deps.segments.truncatedLsn(record.tableId)
  }

  async createTable(op: CreateTableOp): Promise<CreateTableResult> {
    const { table, created } = await this.deps.catalog.createTable(op)
    if (created) await this.registerTable(table)
    return { kind: 'CreateTableResult', table, created }
  }

  /** Persists the new columns, then re-registers the schema on every core (their memtables read NULL for old rows). */
  async addColumns(op: AddColumnsOp): Promise<AddColumnsResult> {
    const { table, addedCount } = await this.deps.catalog.addColumns(op)
    if (addedCount > 0) await this.registerTable(table)
    return { kind: 'AddColumnsResult', table, addedCount }
  }

  /** Names, the dropped flag and defaults live only in the catalog: persist, then let every core see the new schema. */
  async alterTable(op: AlterTableOp): Promise<AlterTableResult> {
    const { catalog } = this.deps
    let table: TableSchema
    switch (op.kind) {
      case 'RenameTableOp': table = await catalog.renameTable(op); break
      case 'RenameColumnOp': table = await catalog.renameColumn(op); break
      case 'DropColumnOp': table = await catalog.dropColumn(op); break
      case 'SetColumnDefaultOp': table = await catalog.setColumnDefault(op); break
    }
    await this.registerTable(table)
    return { kind: 'AlterTableResult', table }
  }

  /**
   * DROP TABLE. Commit point: catalog.json without the table (its id stays taken, so its WAL records are skipped from
   * then on and a new table of the same name never sees them). Then its segments leave the manifest and every core
   * forgets its rows. A crash between the two: open() removes the segments (removeDroppedSegments).
   */
  dropTable(op: DropTableOp): Promise<DropTableResult> {
    return this.ingestGate.write(async () => {
      await this.deps.coresReady()
      const { catalog, segments } = this.deps
      await catalog.dropTable(op.tableId)
      try {
        await segments.maintain(() => segments.dropTables((tableId) => tableId === op.tableId))
      } catch (error) {
        // The DROP is committed; the manifest keeps unreachable segments until the next open removes them.
        log.error({ err: error, tableId: op.tableId }, 'dropped table\'s segments not removed; the next open removes them')
      }
      await this.dropRows(this.sendDropRows(op.tableId, true))
      return { kind: 'DropTableResult' }
    })
  }

  /**
   * TRUNCATE. Commit point: the manifest swap that removes the table's segments and marks its WAL records up to the
   * last assigned LSN dead (replay and catch-up skip them, like flushed ones). The cores' drop requests are queued
   * inside that swap, under the scan gate, so a scan sees either every old row or none.
   */
  truncateTable(op: TruncateTableOp): Promise<TruncateTableResult> {
    return this.ingestGate.write(async () => {
      await this.deps.coresReady()
      const { catalog, segments } = this.deps
      const table = catalog.table(op.tableId)
      if (table === undefined) throw new EngineFailureError({ kind: 'NoSuchTable', detail: `table ${op.tableId} does not exist` })
      const lsn = this.deps.lastAssignedLsn()
      let sent: Array<Promise<CoreResponse>> = []
      try {
        await segments.maintain(() => segments.truncateTable(op.tableId, lsn, () => { sent = this.sendDropRows(op.tableId, false) }))
      } finally {
        await this.dropRows(sent)
      }
      return { kind: 'TruncateTableResult', table }
    })
  }

  async registerTable(table: TableSchema): Promise<void> {
    await Promise.all(this.deps.cores.map(async (core) =>
      checkResponse(await core.request({ kind: 'RegisterTableRequest', table }))))
  }

  private sendDropRows(tableId: TableId, isUnregistering: boolean): Array<Promise<CoreResponse>> {
    return this.deps.cores.map((core) => core.request({ kind: 'DropTableRowsRequest', tableId, isUnregistering }))
  }

  /** Each core's answer updates the flush coordinator (memtable bytes and low water fall with the rows). */
  private async dropRows(sent: ReadonlyArray<Promise<CoreResponse>>): Promise<void> {
    await Promise.all(sent.map(async (answer, core) => checkResponse(this.deps.flushes.applied(core, await answer, undefined))))
  }
}
