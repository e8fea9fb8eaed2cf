// engine/catalog/catalog-store: the persisted table catalog (<dataDir>/catalog.json), written atomically
// (temp file, fsync, rename, fsync dir). Knows nothing of SQL text, WAL or cores.
import path from 'node:path'
import { asTableId, type TableId } from '../../src/common/ids.js'
import { COLUMNS_PER_TABLE_MAX_COUNT, TABLES_MAX_COUNT } from '../../src/common/limits.js'
import { EngineFailureError, type ViewSchema } from '../api.js'
import { COLUMN_KIND_CODES, type ColumnKind } from '../batch.js'
import {
  droppedColumnName, type AddColumnsOp, type ColumnSchema, type CreateTableOp, type DropColumnOp, type RenameColumnOp,
  type RenameTableOp, type SetColumnDefaultOp, type SetRetentionOp, type TableSchema,
} from '../ops.js'
import type { FileSystem } from '../io/file-system.js'

const CATALOG_FILE = 'catalog.json'
/** Version of catalog.json's shape. Append-only: bump and migrate, never reinterpret. */
const CATALOG_FORMAT_VERSION = 1

function invalid(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'InvalidBatch', detail })
}

function corrupt(file: string, detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'Corrupt', detail: `${file}: ${detail}` })
}

function isColumnKind(value: unknown): value is ColumnKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(COLUMN_KIND_CODES, value)
}

function parseColumn(value: unknown): ColumnSchema | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (!('name' in value) || !('kind' in value) || !('sqlType' in value) || !('notNull' in value)) return undefined
  const { name, kind, sqlType, notNull } = value
  if (typeof name !== 'string' || !isColumnKind(kind) || typeof sqlType !== 'string' || typeof notNull !== 'boolean') {
    return undefined
  }
  // Absent in catalogs written before DROP COLUMN existed.
  const isDropped = 'isDropped' in value ? value.isDropped : false
  if (typeof isDropped !== 'boolean') return undefined
  // Absent in catalogs written before column defaults existed; sql's value, kept as it is.
  const columnDefault = 'default' in value ? value.default : null
  return { name, kind, sqlType, notNull, ...(isDropped ? { isDropped } : {}), ...(columnDefault === null ? {} : { default: columnDefault }) }
}

function parseTable(value: unknown): TableSchema | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (!('id' in value) || !('name' in value) || !('columns' in value) || !('timestampIndex' in value)) return undefined
  const { id, name, columns, timestampIndex } = value
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || typeof name !== 'string') return undefined
  if (!Array.isArray(columns) || typeof timestampIndex !== 'number') return undefined
  const parsed = columns.map(parseColumn)
  if (parsed.some((column) => column === undefined)) return undefined
  // Absent in catalogs written before retention existed: keep forever.
  const retentionUs = 'retentionUs' in value ? value.retentionUs : null
  if (retentionUs !== null && retentionUs !== undefined && !isRetentionUs(retentionUs)) return undefined
  return {
    id: asTableId(id), name, columns: parsed.filter((c): c is ColumnSchema => c !== undefined), timestampIndex,
    ...(isRetentionUs(retentionUs) ? { retentionUs } : {}),
  }
}

function isRetentionUs(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0
}

/** Checks a CreateTableOp; returns a failure detail or undefined when it is valid. */
export function validateCreateTable(op: CreateTableOp): string | undefined {
  if (op.name.length === 0) return 'table name is empty'
  if (op.columns.length === 0 || op.columns.length > COLUMNS_PER_TABLE_MAX_COUNT) {
    return `table "${op.name}" has ${op.columns.length} columns (1..${COLUMNS_PER_TABLE_MAX_COUNT} allowed)`
  }
  const names = new Set<string>()
  for (const column of op.columns) {
    if (!isColumnKind(column.kind)) return `column "${column.name}" has unknown kind ${String(column.kind)}`
    if (names.has(column.name)) return `column "${column.name}" specified more than once`
    names.add(column.name)
  }
  const ts = op.columns[op.timestampIndex]
  if (!Number.isInteger(op.timestampIndex) || ts === undefined || ts.kind !== 'timestamp') {
    return `designated timestamp index ${op.timestampIndex} of "${op.name}" is not a timestamp column`
  }
  return undefined
}

function noSuchTable(id: TableId): EngineFailureError {
  return new EngineFailureError({ kind: 'NoSuchTable', detail: `table ${id} does not exist` })
}

/** The column at `index`, which must exist and not be dropped. */
function liveColumn(table: TableSchema, index: number): ColumnSchema {
  const column = table.columns[index]
  if (column === undefined || column.isDropped === true) throw invalid(`column ${index} of "${table.name}" does not exist`)
  return column
}

function parseView(value: unknown): ViewSchema | undefined {
  if (typeof value !== 'object' || value === null || !('id' in value) || !('name' in value) || !('definition' in value)) return undefined
  const { id, name, definition } = value
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || typeof name !== 'string') return undefined
  return { id, name, definition }
}

function relationExists(name: string): EngineFailureError {
  return new EngineFailureError({ kind: 'TableExists', detail: `relation "${name}" already exists` })
}

export class CatalogStore {
  private readonly byName = new Map<string, TableSchema>()
  private readonly list: TableSchema[] = []
  // Views share the tables' namespace and id sequence; their definitions are sql's, opaque here.
  private viewList: ViewSchema[] = []
  // Ids are never reused: a dropped table's WAL records and segments carry its id, and must never reach a new table.
  private nextTableId = 1
  // Serializes creates so ids are assigned and persisted in order.
  private queue: Promise<unknown> = Promise.resolve()

  private constructor(private readonly fs: FileSystem, private readonly dataDir: string) {}

  static async open(fs: FileSystem, dataDir: string): Promise<CatalogStore> {
    const store = new CatalogStore(fs, dataDir)
    const file = path.join(dataDir, CATALOG_FILE)
    const bytes = await fs.readFile(file)
    if (bytes === undefined) return store
    let value: unknown
    try {
      value = JSON.parse(Buffer.from(bytes).toString('utf8'))
    } catch (error) {
      throw corrupt(file, `not JSON: ${error instanceof Error ? error.message : String(error)}`)
    }
    if (typeof value !== 'object' || value === null || !('version' in value) || !('tables' in value)) {
      throw corrupt(file, 'missing version or tables')
    }
    if (value.version !== CATALOG_FORMAT_VERSION) throw corrupt(file, `unknown version ${String(value.version)}`)
    if (!Array.isArray(value.tables)) throw corrupt(file, 'tables is not an array')
    for (const entry of value.tables) {
      const table = parseTable(entry)
      if (table === undefined) throw corrupt(file, `bad table entry ${JSON.stringify(entry)}`)
      store.list.push(table)
      store.byName.set(table.name, table)
      store.nextTableId = Math.max(store.nextTableId, table.id + 1)
    }
    // Absent in catalogs written before CREATE VIEW existed.
    const views = 'views' in value ? value.views : []
    if (!Array.isArray(views)) throw corrupt(file, 'views is not an array')
    for (const entry of views) {
      const view = parseView(entry)
      if (view === undefined) throw corrupt(file, `bad view entry ${JSON.stringify(entry)}`)
      store.viewList.push(view)
      store.nextTableId = Math.max(store.nextTableId, view.id + 1)
    }
    // Absent in catalogs written before DROP TABLE existed (no id was ever freed then): one past the highest id.
    const nextTableId = 'nextTableId' in value ? value.nextTableId : store.nextTableId
    if (typeof nextTableId !== 'number' || !Number.isSafeInteger(nextTableId) || nextTableId < store.nextTableId) {
      throw corrupt(file, `bad nextTableId ${String(nextTableId)}`)
    }
    store.nextTableId = nextTableId
    return store
  }

  /** Every table in creation order, from memory. */
  tables(): ReadonlyArray<TableSchema> {
    return this.list
  }

  views(): ReadonlyArray<ViewSchema> {
    return this.viewList
  }

  /** Adds (or, with `orReplace`, replaces) a view, persisting before resolving; its name must be no table's. */
  createView(name: string, definition: unknown, orReplace: boolean): Promise<ViewSchema> {
    return this.serialized(async () => {
      if (name.length === 0) throw invalid('view name is empty')
      const existing = this.viewList.find((view) => view.name === name)
      if (this.byName.has(name) || (existing !== undefined && !orReplace)) throw relationExists(name)
      const view: ViewSchema = { id: existing?.id ?? this.nextTableId, name, definition }
      const views = existing === undefined ? [...this.viewList, view] : this.viewList.map((v) => (v === existing ? view : v))
      const nextTableId = existing === undefined ? this.nextTableId + 1 : this.nextTableId
      await this.persist(this.list, nextTableId, views)
      this.viewList = views
      this.nextTableId = nextTableId
      return view
    })
  }

  dropView(name: string): Promise<void> {
    return this.serialized(async () => {
      const views = this.viewList.filter((view) => view.name !== name)
      if (views.length === this.viewList.length) throw new EngineFailureError({ kind: 'NoSuchTable', detail: `view "${name}" does not exist` })
      await this.persist(this.list, this.nextTableId, views)
      this.viewList = views
    })
  }

  table(id: TableId): TableSchema | undefined {
    return this.list.find((table) => table.id === id)
  }

  /** True for the id of a table that existed and was dropped: its WAL records and segments are dead. */
  isDropped(id: TableId): boolean {
    return id >= 1 && id < this.nextTableId && this.table(id) === undefined
  }

  /** Validates, assigns the next TableId and persists before resolving. */
  createTable(op: CreateTableOp): Promise<{ table: TableSchema; created: boolean }> {
    const result = this.queue.then(() => this.createTableNow(op))
    this.queue = result.catch(() => undefined)
    return result
  }

  private async createTableNow(op: CreateTableOp): Promise<{ table: TableSchema; created: boolean }> {
    const existing = this.byName.get(op.name)
    if (existing !== undefined) {
      if (op.ifNotExists) return { table: existing, created: false }
      throw relationExists(op.name)
    }
    if (this.viewList.some((view) => view.name === op.name)) throw relationExists(op.name)
    const problem = validateCreateTable(op)
    if (problem !== undefined) throw invalid(problem)
    if (this.list.length >= TABLES_MAX_COUNT) {
      throw new EngineFailureError({ kind: 'LimitExceeded', detail: `at most ${TABLES_MAX_COUNT} tables` })
    }
    if (op.retentionUs !== undefined && op.retentionUs !== null && !isRetentionUs(op.retentionUs)) {
      throw invalid(`retention of "${op.name}" must be a positive whole number of µs, not ${String(op.retentionUs)}`)
    }
    const table: TableSchema = {
      id: asTableId(this.nextTableId),
      name: op.name,
      columns: op.columns.map((c) => ({
        name: c.name, kind: c.kind, sqlType: c.sqlType, notNull: c.notNull, ...(c.default === undefined || c.default === null ? {} : { default: c.default }),
      })),
      timestampIndex: op.timestampIndex,
      ...(isRetentionUs(op.retentionUs) ? { retentionUs: op.retentionUs } : {}),
    }
    await this.persist([...this.list, table], this.nextTableId + 1)
    this.nextTableId += 1
    this.list.push(table)
    this.byName.set(table.name, table)
    return { table, created: true }
  }

  /**
   * Appends the op's columns that the table does not have yet, persisting before resolving (atomically, as
   * createTable does). Columns already present by name are skipped, whatever their kind: the caller checks.
   */
  addColumns(op: AddColumnsOp): Promise<{ table: TableSchema; addedCount: number }> {
    const result = this.queue.then(() => this.addColumnsNow(op))
    this.queue = result.catch(() => undefined)
    return result
  }

  private async addColumnsNow(op: AddColumnsOp): Promise<{ table: TableSchema; addedCount: number }> {
    const index = this.list.findIndex((table) => table.id === op.tableId)
    const existing = this.list[index]
    if (existing === undefined) throw new EngineFailureError({ kind: 'NoSuchTable', detail: `table ${op.tableId} does not exist` })
    const names = new Set(existing.columns.map((column) => column.name))
    const added: ColumnSchema[] = []
    for (const column of op.columns) {
      if (names.has(column.name)) continue
      if (column.name.length === 0) throw invalid('column name is empty')
      // A nullable timestamp is an ordinary column (ALTER TABLE ADD COLUMN); only the designated one is special.
      if (!isColumnKind(column.kind)) throw invalid(`column "${column.name}" cannot be added as ${String(column.kind)}`)
      if (column.notNull) throw invalid(`column "${column.name}" added to "${existing.name}" must be nullable`)
      names.add(column.name)
      added.push({ name: column.name, kind: column.kind, sqlType: column.sqlType, notNull: false })
    }
    if (added.length === 0) return { table: existing, addedCount: 0 }
    if (existing.columns.length + added.length > COLUMNS_PER_TABLE_MAX_COUNT) {
      throw new EngineFailureError({ kind: 'LimitExceeded', detail: `tables can have at most ${COLUMNS_PER_TABLE_MAX_COUNT} columns` })
    }
    const table = await this.replaceTable(index, { ...existing, columns: [...existing.columns, ...added] })
    return { table, addedCount: added.length }
  }

  /** Sets or clears a table's retention, persisting before resolving (atomically, as createTable does). */
  setRetention(op: SetRetentionOp): Promise<TableSchema> {
    const result = this.queue.then(() => this.setRetentionNow(op))
    this.queue = result.catch(() => undefined)
    return result
  }

  private async setRetentionNow(op: SetRetentionOp): Promise<TableSchema> {
    const index = this.list.findIndex((table) => table.id === op.tableId)
    const existing = this.list[index]
    if (existing === undefined) throw new EngineFailureError({ kind: 'NoSuchTable', detail: `table ${op.tableId} does not exist` })
    if (op.retentionUs !== null && !isRetentionUs(op.retentionUs)) {
      throw invalid(`retention of "${existing.name}" must be a positive whole number of µs, not ${String(op.retentionUs)}`)
    }
    return this.replaceTable(index, { ...existing, retentionUs: op.retentionUs })
  }

  /** DROP TABLE's commit point: the table leaves catalog.json (atomically); its id stays taken. */
  dropTable(id: TableId): Promise<TableSchema> {
    return this.serialized(async () => {
      const existing = this.table(id)
      if (existing === undefined) throw noSuchTable(id)
      await this.persist(this.list.filter((table) => table.id !== id), this.nextTableId)
      this.list.splice(this.list.indexOf(existing), 1)
      this.byName.delete(existing.name)
      return existing
    })
  }

  renameTable(op: RenameTableOp): Promise<TableSchema> {
    return this.alterTable(op.tableId, (existing) => {
      if (op.name.length === 0) throw invalid('table name is empty')
      const other = this.byName.get(op.name)
      if ((other !== undefined && other.id !== existing.id) || this.viewList.some((view) => view.name === op.name)) throw relationExists(op.name)
      return { ...existing, name: op.name }
    })
  }

  renameColumn(op: RenameColumnOp): Promise<TableSchema> {
    return this.alterTable(op.tableId, (existing) => {
      const column = liveColumn(existing, op.column)
      if (op.name.length === 0) throw invalid('column name is empty')
      if (existing.columns.some((other, c) => c !== op.column && other.name === op.name)) {
        throw invalid(`column "${op.name}" of relation "${existing.name}" already exists`)
      }
      return { ...existing, columns: existing.columns.map((c, i) => (i === op.column ? { ...column, name: op.name } : c)) }
    })
  }

  /** Sets (sql's value) or removes (null) a live column's default. */
  setColumnDefault(op: SetColumnDefaultOp): Promise<TableSchema> {
    return this.alterTable(op.tableId, (existing) => {
      const column = liveColumn(existing, op.column)
      const { default: _previous, ...rest } = column
      const changed: ColumnSchema = op.default === null || op.default === undefined ? rest : { ...rest, default: op.default }
      return { ...existing, columns: existing.columns.map((c, i) => (i === op.column ? changed : c)) }
    })
  }

  /** Hides the column: renamed out of the way, nullable (later rows carry NULL there), its index kept. */
  dropColumn(op: DropColumnOp): Promise<TableSchema> {
    return this.alterTable(op.tableId, (existing) => {
      const column = liveColumn(existing, op.column)
      if (op.column === existing.timestampIndex) throw invalid(`cannot drop the designated timestamp "${column.name}"`)
      const { default: _default, ...rest } = column
      const dropped: ColumnSchema = { ...rest, name: droppedColumnName(op.column + 1), notNull: false, isDropped: true }
      return { ...existing, columns: existing.columns.map((c, i) => (i === op.column ? dropped : c)) }
    })
  }

  private alterTable(id: TableId, change: (existing: TableSchema) => TableSchema): Promise<TableSchema> {
    return this.serialized(async () => {
      const index = this.list.findIndex((table) => table.id === id)
      const existing = this.list[index]
      if (existing === undefined) throw noSuchTable(id)
      return this.replaceTable(index, change(existing))
    })
  }

  /** Runs catalog changes one at a time, in call order. */
  private serialized<T>(body: () => Promise<T>): Promise<T> {
    const result = this.queue.then(body)
    this.queue = result.catch(() => undefined)
    return result
  }

  /** Persists the list with `table` at `index`, then adopts it in memory. */
  private async replaceTable(index: number, table: TableSchema): Promise<TableSchema> {
    const previous = this.list[index]!
    const next = [...this.list]
    next[index] = table
    await this.persist(next, this.nextTableId)
    this.list[index] = table
    this.byName.delete(previous.name)
    this.byName.set(table.name, table)
    return table
  }

  private async persist(tables: ReadonlyArray<TableSchema>, nextTableId: number, views = this.viewList): Promise<void> {
    const file = path.join(this.dataDir, CATALOG_FILE)
    const temp = `${file}.tmp`
    const text = JSON.stringify({ version: CATALOG_FORMAT_VERSION, nextTableId, tables, views }, null, 1)
    const handle = await this.fs.open(temp, 'create-truncate')
    try {
      await handle.write(Buffer.from(text, 'utf8'), 0)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    await this.fs.rename(temp, file)
    await this.fs.syncDir(this.dataDir)
  }
}
