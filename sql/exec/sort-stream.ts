// sql/exec/sort-stream: ORDER BY over a plain scan sorted as columns, its rows built only as wire writes them.
// run-plan's row sort held one array per row and a boxed value per cell: for a few hundred thousand rows their
// garbage collection held the event loop for ~10 ms at a time, stalling every other session (invariant 5). Here the
// cores' batches stay typed arrays, the sort orders a permutation of row indexes by typed key columns
// (column-sort.ts) in slices, and the result streams as column batches gathered through the permutation
// (ColumnRows: wire's columnar DataRow encoder writes them; FETCH and COPY ask them for rows).
import { assert } from '../../src/common/assert.js'
import { SCAN_BATCH_ROWS_COUNT } from '../../src/common/limits.js'
import type { ColumnVector, RowsPartial } from '../../engine/batch.js'
import type { ColumnRows, RowBatch, RowStream } from '../api.js'
import type { Expr } from '../bind/expr.js'
import type { SqlType } from '../bind/types.js'
import { isRegType } from '../catalog/catalog-lookup.js'
import { withEngineErrors } from '../errors.js'
import type { PlanNode } from '../plan/plan-node.js'
import { columnRowsOf } from './column-rows.js'
import { concatVectors, gatherVector, keyColumnOf, rowComparator, type ColumnSortKey } from './column-sort.js'
import { disabledOptimizers } from '../plan/optimizers.js'
import { holdRows, type ExecEnv } from './exec-env.js'
import { coreSortKeysOf, CoreSortedRowStream, scanKindsOf } from './sort-core.js'
import { charge, forChunks, pause, sortIndexesSliced } from './slice.js'
import { countOf } from './stream-plan.js'

type NodeOf<K extends PlanNode['kind']> = Extract<PlanNode, { kind: K }>

/** A plan that is, above a sort, only column picks (projections of plain columns, trims) and an OFFSET with no LIMIT. */
export interface SortShape {
  readonly sort: NodeOf<'SortNode'>
  readonly scan: NodeOf<'ScanNode'>
  readonly offset: Expr | null
  /** The scan slot each ORDER BY key reads. */
  readonly keySlots: ReadonlyArray<number>
  /** The scan slot each result column is. */
  readonly outputSlots: ReadonlyArray<number>
}

/** The slot each expression is, or null when one is computed. */
function slotsOf(exprs: ReadonlyArray<Expr>): number[] | null {
  const slots = exprs.map((expr) => (expr.kind === 'Slot' ? expr.slot : -1))
  return slots.some((slot) => slot < 0) ? null : slots
}

/**
 * The columnar shape of `plan`, or null: [Trim | Project of columns | Limit with no LIMIT]* → Sort by plain columns →
 * Project of columns? → Scan. A LIMIT takes the top-N path (top-n.ts); anything computed, a residual filter or a
 * reg* result column (printed as a name by sql) keeps run-plan's row sort.
 */
export function sortShapeOf(plan: PlanNode): SortShape | null {
  let node = plan
  let picks: number[] = plan.columns.map((_, index) => index) // result column → column of `node`
  let offset: Expr | null = null
  for (;;) {
    if (node.kind === 'TrimNode') node = node.input
    else if (node.kind === 'LimitNode' && node.limit === null && offset === null) { offset = node.offset; node = node.input }
    else if (node.kind === 'ProjectNode') {
      const slots = slotsOf(node.exprs)
      if (slots === null) return null
      picks = picks.map((pick) => slots[pick]!)
      node = node.input
    } else break
  }
  if (node.kind !== 'SortNode') return null
  const sort = node
  let input = sort.input
  let inputSlots: number[] = input.columns.map((_, index) => index) // sort input column → scan slot
  if (input.kind === 'ProjectNode') {
    const slots = slotsOf(input.exprs)
    if (slots === null) return null
    inputSlots = slots
    input = input.input
  }
  if (input.kind !== 'ScanNode') return null
  const keyExprs = slotsOf(sort.keys.map((key) => key.expr))
  if (keyExprs === null || picks.length === 0) return null
  const outputSlots = picks.map((pick) => inputSlots[pick]!)
  if (outputSlots.some((slot) => isRegType(input.columns[slot]?.type.name ?? 'unknown'))) return null
  return { sort, scan: input, offset, keySlots: keyExprs.map((slot) => inputSlots[slot]!), outputSlots }
}

/** The scan's columns `slots`, each as one vector of every row, from the engine's batched stream. */
async function scanColumns(scan: NodeOf<'ScanNode'>, slots: ReadonlyArray<number>, env: ExecEnv): Promise<{ rowCount: number; columns: Map<number, ColumnVector> }> {
  const parts = new Map<number, ColumnVector[]>(slots.map((slot) => [slot, []]))
  let rowCount = 0
  if (scan.op.timeRange.fromUs < scan.op.timeRange.toUs) {
    const batches = env.engine.scanStream(scan.op, env.signal === undefined ? {} : { signal: env.signal })[Symbol.asyncIterator]()
    try {
      for (let next = await withEngineErrors(() => batches.next()); next.done !== true; next = await withEngineErrors(() => batches.next())) {
        holdRows(env, next.value.rowCount, `the sort of "${scan.tableName}"`)
        for (const [slot, vectors] of parts) vectors.push(next.value.columns[slot]!)
        rowCount += next.value.rowCount
        if (charge(env, next.value.rowCount)) await pause(env)
      }
    } finally {
      await batches.return?.() // cancels the cores' scans when the sort stops early (57014, 53200)
    }
  }
  const columns = new Map<number, ColumnVector>()
  if (rowCount === 0) return { rowCount, columns }
  for (const [slot, vectors] of parts) {
    columns.set(slot, await concatVectors(vectors, rowCount, env))
    parts.delete(slot)
  }
  return { rowCount, columns }
}

/**
 * The sorted rows: on the cores when every key orders there as PostgreSQL orders it (sort-core.ts, which falls back
 * to sortColumnsNow when wire wants rows), else sorted here now.
 */
export async function sortedStream(shape: SortShape, env: ExecEnv): Promise<RowStream> {
  const kinds = scanKindsOf(shape, env)
  const keys = disabledOptimizers(env.functions.settings).has('core_sort') ? null : coreSortKeysOf(shape, kinds)
  if (keys === null) return sortColumnsNow(shape, env)
  const offset = countOf(shape.offset, 'OFFSET', env) ?? 0
  return new CoreSortedRowStream(shape, env, keys, kinds, offset, () => sortColumnsNow(shape, env))
}

/** Scans and sorts now (errors, cancels and the row budget belong to the statement); the rows stream afterwards. */
async function sortColumnsNow(shape: SortShape, env: ExecEnv): Promise<RowStream> {
  const offset = countOf(shape.offset, 'OFFSET', env) ?? 0
  const { scan, sort } = shape
  const types = shape.outputSlots.map((slot) => scan.columns[slot]!.type)
  const { rowCount, columns } = await scanColumns(scan, [...new Set([...shape.keySlots, ...shape.outputSlots])], env)
  if (rowCount === 0) return new SortedRowStream(new Int32Array(0), [], types, 0)
  const keys: ColumnSortKey[] = []
  for (let k = 0; k < sort.keys.length; k++) {
    const { expr, descending, nullsFirst } = sort.keys[k]!
    keys.push({ column: await keyColumnOf(columns.get(shape.keySlots[k]!)!, expr.type, env), descending, nullsFirst })
  }
  const order = new Int32Array(rowCount)
  await forChunks(rowCount, env, (from, to) => {
    for (let row = from; row < to; row++) order[row] = row
  })
  const sorted = await sortIndexesSliced(order, rowComparator(keys), env)
  return new SortedRowStream(sorted, shape.outputSlots.map((slot) => columns.get(slot)!), types, offset)
}

/** Rows per batch handed to wire: the cores' batch size, so wire flushes and yields as for a streamed scan. */
const SORTED_BATCH_ROWS_COUNT = SCAN_BATCH_ROWS_COUNT

/** The sorted rows as ColumnRows batches of SORTED_BATCH_ROWS_COUNT, each column gathered through the permutation. */
class SortedRowStream implements RowStream {
  private rowCountValue = 0
  private isIterated = false
  private isCancelled = false

  constructor(private order: Int32Array, private vectors: ReadonlyArray<ColumnVector>, private readonly types: ReadonlyArray<SqlType>,
    private nextRow: number) {}

  get rowCount(): number {
    return this.rowCountValue
  }

  cancel(): void {
    this.isCancelled = true
    this.release()
  }

  [Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    return this.batches((rows) => rows.rows(0, rows.rowCount))
  }

  columnBatches(): AsyncIterator<ColumnRows> {
    return this.batches((rows) => rows)
  }

  private async *batches<B>(as: (rows: ColumnRows) => B): AsyncGenerator<B, void, undefined> {
    assert(!this.isIterated, 'a RowStream is iterated once')
    this.isIterated = true
    const slots = this.types.map((_, index) => index)
    try {
      while (!this.isCancelled && this.nextRow < this.order.length) {
        const from = this.nextRow
        const to = Math.min(this.order.length, from + SORTED_BATCH_ROWS_COUNT)
        const partial: RowsPartial = { kind: 'RowsPartial', rowCount: to - from, columns: this.vectors.map((vector) => gatherVector(vector, this.order, from, to)) }
        this.nextRow = to
        this.rowCountValue += to - from
        yield as(columnRowsOf(partial, slots, this.types, 0, to - from))
      }
    } finally {
      this.release()
    }
  }

  /** Drops the sorted columns: a stream closed early holds nothing. */
  private release(): void {
    this.order = new Int32Array(0)
    this.vectors = []
  }
}
