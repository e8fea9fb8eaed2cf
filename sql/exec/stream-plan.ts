// sql/exec/stream-plan: runs the plans that need no operator holding rows — a scan, then filter, project, limit and
// trim — batch by batch as the cores answer, so SELECT * over any table runs in bounded memory (design invariant 4).
// Same expression semantics as run-plan.ts (evaluate.ts per row); every other plan shape stays materialized there.
import { assert } from '../../src/common/assert.js'
import type { DataRowEncoding } from '../../src/common/datarow-encoder.js'
import { invalidRowCount } from '../../src/common/errors.js'
import type { RowsPartial } from '../../engine/batch.js'
import type { ColumnRows, EncodedRowsBatch, RowBatch, RowEncoding, RowStream, SqlValue } from '../api.js'
import { someExpr, type Expr } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import { withEngineErrors } from '../errors.js'
import { mergeRows } from '../physical/merge.js'
import type { PlanColumn, PlanNode } from '../plan/plan-node.js'
import { printRegColumns } from '../catalog/reg-cast.js'
import { columnRowsOf, plainSlotsOf } from './column-rows.js'
import { evaluate } from './evaluate.js'
import type { ExecEnv, Row } from './exec-env.js'

type NodeOf<K extends PlanNode['kind']> = Extract<PlanNode, { kind: K }>

/** A core batch as result rows of some form: how many, and rows [from, to) of them. */
interface Cut<B> {
  readonly count: number
  slice(from: number, to: number): B
}

/** A plan of the shape TrimNode? → LimitNode? → ProjectNode? → FilterNode? → ScanNode, nothing reading a subquery. */
export interface StreamShape {
  readonly trim: NodeOf<'TrimNode'> | null
  readonly limit: NodeOf<'LimitNode'> | null
  readonly project: NodeOf<'ProjectNode'> | null
  readonly filter: NodeOf<'FilterNode'> | null
  readonly scan: NodeOf<'ScanNode'>
}

/** Subqueries run before the rows that read them (run-plan.ts); aggregates and windows need every row first. */
function isRowLocal(expr: Expr | null): boolean {
  return expr === null || !someExpr(expr, (node) => node.kind === 'Subquery' || node.kind === 'Aggregate' || node.kind === 'Window')
}

/** The streaming shape of `plan`, or null when it needs an operator that holds rows (sort, aggregate, join, …). */
export function streamShapeOf(plan: PlanNode): StreamShape | null {
  let node = plan
  const trim = node.kind === 'TrimNode' ? node : null
  if (trim !== null) node = trim.input
  const limit = node.kind === 'LimitNode' ? node : null
  if (limit !== null) node = limit.input
  const project = node.kind === 'ProjectNode' ? node : null
  if (project !== null) node = project.input
  const filter = node.kind === 'FilterNode' ? node : null
  if (filter !== null) node = filter.input
  const scan = node.kind === 'ScanNode' ? node : null
  if (scan === null) return null
  const exprs: Array<Expr | null> = [limit?.limit ?? null, limit?.offset ?? null, filter?.predicate ?? null, ...(project?.exprs ?? [])]
  return exprs.every(isRowLocal) ? { trim, limit, project, filter, scan } : null
}

/** Streams a plan streamShapeOf accepted. LIMIT and OFFSET are evaluated now, so a negative one fails at once. */
/** `printed`: the result columns whose reg* values print as names here (none when the rows feed another operator). */
export function streamPlan(shape: StreamShape, env: ExecEnv, printed: ReadonlyArray<PlanColumn> = []): RowStream {
  const offset = countOf(shape.limit?.offset ?? null, 'OFFSET', env) ?? 0
  const limit = countOf(shape.limit?.limit ?? null, 'LIMIT', env)
  return new PlanRowStream(shape, printed.map((column) => column.type), env, { offset, limit })
}

/** A LIMIT or OFFSET count, evaluated once before any row (it reads none); negative → 2201W / 2201X. */
export function countOf(expr: Expr | null, clause: 'LIMIT' | 'OFFSET', env: ExecEnv): number | null {
  if (expr === null) return null
  const value = evaluate(expr, [], [], env)
  if (value === null) return null
  const count = Number(value)
  if (count < 0) throw invalidRowCount(clause)
  return count
}

class PlanRowStream implements RowStream {
  private rowCountValue = 0
  private isIterated = false
  private readonly controller = new AbortController()
  private readonly types: ReadonlyArray<SqlType>
  /** The scan slots the result columns are when no row needs evaluating (no residual filter, columns only). */
  private readonly plainSlots: number[] | null

  constructor(private readonly shape: StreamShape, private readonly outputTypes: ReadonlyArray<SqlType>, private readonly env: ExecEnv,
    private readonly bounds: { readonly offset: number; readonly limit: number | null }) {
    this.types = shape.scan.columns.map((column) => column.type)
    const isPlain = shape.filter === null && outputTypes.length > 0
    this.plainSlots = isPlain ? plainSlotsOf(shape.project?.exprs ?? null, this.types, shape.trim?.count ?? null) : null
  }

  get rowCount(): number {
    return this.rowCountValue
  }

  cancel(): void {
    this.controller.abort()
  }

  [Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    assert(!this.isIterated, 'a RowStream is iterated once')
    this.isIterated = true
    return this.batches((partial) => this.rowCut(partial))
  }

  columnBatches(encoding?: RowEncoding): AsyncIterator<RowBatch | ColumnRows | EncodedRowsBatch> {
    assert(!this.isIterated, 'a RowStream is iterated once')
    this.isIterated = true
    const slots = this.plainSlots
    if (slots === null) return this.batches((partial) => this.rowCut(partial))
    // The cores encode the DataRows themselves; a batch with a column they have no writer for comes as vectors.
    const coreEncoding: DataRowEncoding | undefined = encoding === undefined ? undefined : {
      columns: slots.map((slot, index) => ({ slot, typeOid: encoding.typeOids[index] ?? 0, format: encoding.formats[index] ?? 0 })),
      timeZone: encoding.timeZone, dateStyle: encoding.dateStyle, intervalStyle: encoding.intervalStyle,
    }
    return this.batches((partial): Cut<ColumnRows | EncodedRowsBatch> => {
      const { encoded } = partial
      if (encoded !== undefined) return { count: partial.rowCount, slice: (from, to) => ({ kind: 'EncodedRows', rowCount: to - from, from, encoded }) }
      return { count: partial.rowCount, slice: (from, to) => columnRowsOf(partial, slots, this.types, from, to) }
    }, coreEncoding)
  }

  /**
   * Pulls core batches one at a time; leaving early (LIMIT met, return(), cancel) ends the engine's stream too.
   * `cutOf` turns a core batch into result rows (evaluated rows, or column vectors), which OFFSET and LIMIT cut.
   */
  private async *batches<B>(cutOf: (partial: RowsPartial) => Cut<B>, encoding?: DataRowEncoding): AsyncGenerator<B, void, undefined> {
    const { op } = this.shape.scan
    if (op.timeRange.fromUs >= op.timeRange.toUs || this.bounds.limit === 0) return
    let skipCount = this.bounds.offset
    let leftCount = this.bounds.limit ?? Number.POSITIVE_INFINITY
    const options = { signal: this.controller.signal, ...(encoding === undefined ? {} : { encoding }) }
    const source = this.env.engine.scanStream(op, options)[Symbol.asyncIterator]()
    try {
      while (leftCount > 0) {
        const next = await withEngineErrors(() => source.next())
        if (next.done === true) return
        const cut = cutOf(next.value)
        const from = Math.min(skipCount, cut.count)
        skipCount -= from
        // pg_sleep in the select list or filter: its delay is waited out before the batch goes.
        await this.env.functions.sleeper?.settle(this.env.session.signal)
        const to = Math.min(cut.count, from + leftCount)
        leftCount -= to - from
        if (to === from) continue
        this.rowCountValue += to - from
        yield cut.slice(from, to)
      }
    } finally {
      // Runs the engine stream's own finally, which cancels the cores' scans when it had not ended.
      await source.return?.()
    }
  }

  private rowCut(partial: RowsPartial): Cut<RowBatch> {
    const rows = this.rowsOf(partial)
    const slice = (from: number, to: number): RowBatch => {
      const cut = from === 0 && to === rows.length ? rows : rows.slice(from, to)
      return printRegColumns(this.outputTypes, cut, this.env.functions.catalog)
    }
    return { count: rows.length, slice }
  }

  /** One core batch as result rows: filter, project and trim applied per row, as run-plan.ts would. */
  private rowsOf(partial: RowsPartial): Row[] {
    const { filter, project, trim } = this.shape
    const rows: Row[] = []
    for (const row of mergeRows([partial], this.types)) {
      if (filter !== null && evaluate(filter.predicate, row, [], this.env) !== true) continue
      const projected: SqlValue[] = project === null ? row : project.exprs.map((expr) => evaluate(expr, row, [], this.env))
      rows.push(trim === null ? projected : projected.slice(0, trim.count))
    }
    return rows
  }
}
