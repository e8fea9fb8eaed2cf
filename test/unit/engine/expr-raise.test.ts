// Goal: engine/expr-raise.ts says exactly which ScanExpr nodes can raise when the kernels evaluate them: a node it
// calls quiet never raises on any value, and a node it calls raising does raise on some value (so DELETE refuses no
// more than it must). Method: every arithmetic operator over every numeric type with a column on one side and one of
// many constants (0, ±1, 2, 0.5, ±Infinity, NaN, NULL, 2^970, 2^971, the float and integer extremes) on the other,
// every negation and every cast between the numeric types, each run by the real kernels (compileWhere) over a
// memtable holding every extreme value of its type (integer minimum and maximum, ±MAX, ±denormals, ±0, NaN, ±Infinity).
import assert from 'node:assert/strict'
import { isEngineFailureError } from '../../../engine/api.js'
import type { ColumnVector } from '../../../engine/batch.js'
import type { ExprArithOp, ExprType, ExprValue, ScanExpr, TableSchema } from '../../../engine/ops.js'
import { EXPR_VERSION, raisingNode } from '../../../engine/ops.js'
import { compileWhere } from '../../../engine/timeseries/expr-eval.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { asTableId } from '../../../src/common/ids.js'

const MAX = Number.MAX_VALUE
const FLOATS = [Number.NaN, Infinity, -Infinity, 0, -0, MAX, -MAX, 5e-324, -5e-324, 2.2250738585072014e-308, 1, -1, 1.5, 1e300, -1e-300]
const INTS: Readonly<Record<'int2' | 'int4' | 'int8', ReadonlyArray<bigint>>> = {
  int2: [-32768n, 32767n, 0n, 1n, -1n, 181n, -7n],
  int4: [-2147483648n, 2147483647n, 0n, 1n, -1n, 46341n, -7n],
  int8: [-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, -1n, 3037000500n, -7n],
}
const ROWS = FLOATS.length
/** Column per type: f64, then i64 columns holding int2, int4 and int8 extremes (each list repeated to ROWS). */
const COLUMN: Readonly<Record<string, number>> = { float8: 1, int2: 2, int4: 3, int8: 4 }
const SCHEMA: TableSchema = {
  id: asTableId(1), name: 't', timestampIndex: 0,
  columns: [['ts', 'timestamp'], ['f', 'f64'], ['s', 'i64'], ['i', 'i64'], ['b', 'i64']]
    .map(([name, kind]) => ({ name: name!, kind: kind as 'f64', sqlType: '', notNull: false })),
}
const NUMERIC: ReadonlyArray<ExprType> = ['int2', 'int4', 'int8', 'float8']
const OPS: ReadonlyArray<ExprArithOp> = ['+', '-', '*', '/', '%']
const CONSTANTS: ReadonlyArray<number | null> = [0, 1, -1, 2, -2, 0.5, 7, Infinity, -Infinity, Number.NaN, null, 2 ** 970, 2 ** 971, -(2 ** 971), MAX, 5e-324]

function memtable(): Memtable {
  const ints = (list: ReadonlyArray<bigint>): ColumnVector => ({
    kind: 'i64', values: BigInt64Array.from({ length: ROWS }, (_, i) => list[i % list.length]!), nulls: new Uint8Array(ROWS),
  })
  return Memtable.fromVectors(SCHEMA, ROWS, [
    { kind: 'timestamp', values: Float64Array.from({ length: ROWS }, (_, i) => i) },
    { kind: 'f64', values: Float64Array.from(FLOATS), nulls: new Uint8Array(ROWS) },
    ints(INTS.int2), ints(INTS.int4), ints(INTS.int8),
  ])
}

/** The constant `c` as a constant node of `type`, or undefined when `type` cannot hold it. */
function constNode(c: number | null, type: ExprType): ScanExpr | undefined {
  if (c === null) return { k: 'const', value: null, type }
  if (type === 'float8') return { k: 'const', value: c, type }
  if (!Number.isInteger(c)) return undefined
  const min = type === 'int2' ? -32768 : type === 'int4' ? -2147483648 : -(2 ** 63)
  if (c < min || c >= -min) return undefined
  const value: ExprValue = type === 'int8' ? BigInt(c) : c
  return { k: 'const', value, type }
}

/** Whether evaluating `node` on every row raises (a 22012/22003 engine failure; anything else fails the test). */
function raises(node: ScanExpr): boolean {
  const where = compileWhere(SCHEMA, { v: EXPR_VERSION, expr: { k: 'isNull', arg: node, negated: false } })
  const table = memtable()
  const rows = Int32Array.from({ length: ROWS }, (_, i) => i)
  try {
    where.filter(table.columns, rows, 0, ROWS)
    return false
  } catch (error) {
    assert.ok(isEngineFailureError(error) && ['DivisionByZero', 'NumericOutOfRange'].includes(error.failure.kind), String(error))
    return true
  }
}

/**
 * Quiet never raises; with `isExact`, raising does raise on some row (a node over one column twice, as x − x, may be
 * quiet on every row where the classifier, looking at operators and constants only, cannot tell).
 */
function check(node: ScanExpr, isExact = true): void {
  const said = raisingNode(node) !== null
  const context = `${JSON.stringify(node, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? String(v) : v))}: classified ${said ? 'raising' : 'quiet'}`
  const did = raises(node)
  if (isExact) assert.equal(did, said, context)
  else assert.ok(said || !did, context)
}

describe('engine expr-raise: which ScanExpr nodes can raise', () => {
  it('arithmetic with a constant operand: quiet exactly when no value raises', () => {
    let quiet = 0
    for (const type of NUMERIC) {
      const column: ScanExpr = { k: 'column', column: COLUMN[type]!, type }
      for (const op of OPS) {
        if (type === 'float8' && op === '%') continue // no float8 % operator: lowering never builds one
        for (const c of CONSTANTS) {
          const constant = constNode(c, type)
          if (constant === undefined) continue
          for (const [left, right] of [[column, constant], [constant, column]] as const) {
            const node: ScanExpr = { k: 'arith', op, left, right, type }
            check(node)
            if (raisingNode(node) === null) quiet++
          }
        }
      }
    }
    assert.ok(quiet > 40, `${quiet} quiet forms`)
  })

  it('arithmetic over two columns, negation and casts', () => {
    for (const type of NUMERIC) {
      const column: ScanExpr = { k: 'column', column: COLUMN[type]!, type }
      for (const op of OPS.filter((o) => type !== 'float8' || o !== '%')) check({ k: 'arith', op, left: column, right: column, type }, false)
      check({ k: 'negate', arg: column, type })
      for (const to of NUMERIC) check({ k: 'cast', arg: column, type: to })
    }
  })

  it('a constant behind a widening cast counts as a constant; a raising node anywhere below makes the tree raising', () => {
    const n: ScanExpr = { k: 'column', column: COLUMN.int8!, type: 'int8' }
    const seven: ScanExpr = { k: 'cast', arg: { k: 'const', value: 7, type: 'int4' }, type: 'int8' }
    check({ k: 'arith', op: '/', left: n, right: seven, type: 'int8' })
    const f: ScanExpr = { k: 'column', column: COLUMN.float8!, type: 'float8' }
    const narrowing: ScanExpr = { k: 'cast', arg: f, type: 'int4' }
    const guarded: ScanExpr = {
      k: 'case', type: 'int4', else: { k: 'const', value: 0, type: 'int4' },
      whens: [{ when: { k: 'compare', op: '=', left: f, right: { k: 'const', value: 1, type: 'float8' } }, then: narrowing }],
    }
    assert.deepStrictEqual(raisingNode(guarded), narrowing, 'the guarded cast is still named')
    assert.equal(raisingNode({ k: 'coalesce', type: 'int8', args: [{ k: 'arith', op: '%', left: n, right: seven, type: 'int8' }, n] }), null)
  })
})
