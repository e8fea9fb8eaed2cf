// Goal: the ScanExpr kernels (engine/timeseries/expr-eval.ts, expr-kernels.ts) compute PostgreSQL's answer: the rows
// a random expression keeps, and whether it raises 22012/22003, over NULLs, NaN, ±Infinity, -0 and integer extremes.
// Method: random typed expression trees over a memtable; an independent row-at-a-time reference written here
// (integers checked with BigInt, PostgreSQL's strict-operator and lazy AND/OR/CASE/COALESCE rules) evaluates each
// row. No error: the kernels keep exactly the rows the reference finds true. An error: some row raises one of that
// kind in the reference (which row raises first depends on row order, as it does on PostgreSQL).
// The differential corpus (corpus-pushdown.sqltest) checks the same semantics end to end against PostgreSQL.
import assert from 'node:assert/strict'
import { isEngineFailureError } from '../../../engine/api.js'
import type { ColumnVector } from '../../../engine/batch.js'
import type { ExprCompareOp, ExprType, ExprValue, ScanExpr, TableSchema } from '../../../engine/ops.js'
import { EXPR_VERSION } from '../../../engine/ops.js'
import { compileWhere } from '../../../engine/timeseries/expr-eval.js'
import { Memtable } from '../../../engine/timeseries/memtable.js'
import { asTableId } from '../../../src/common/ids.js'
import { seededRandom } from '../../helpers/random.js'

const SCHEMA: TableSchema = {
  id: asTableId(1), name: 't', timestampIndex: 0,
  columns: [['ts', 'timestamp'], ['tag', 'symbol'], ['f', 'f64'], ['n', 'i64'], ['b', 'i64'], ['ok', 'bool']]
    .map(([name, kind]) => ({ name: name!, kind: kind as 'f64', sqlType: '', notNull: false })),
}
const FLOATS = [Number.NaN, Infinity, -Infinity, -0, 0, 1.5, 2.5, -3.5, -2.25, 7, 1e300, 1e-300, 3]
const INT4S = [-2147483648, 2147483647, 0, 1, -1, 2, 3, -4, 46341, -7]
const INT8S = [-(2n ** 63n), 2n ** 63n - 1n, 0n, 1n, -1n, 3037000500n, 9n]
const TAGS = ['a', 'b', 'c']

type Value = number | bigint | boolean | string | null
class RowError { constructor(readonly kind: string) {} }

function table(random: () => number, rows: number): Memtable {
  const pick = <T>(list: ReadonlyArray<T>): T => list[Math.floor(random() * list.length)]!
  const nulls = () => Uint8Array.from({ length: rows }, () => (random() < 0.15 ? 1 : 0))
  const vectors: ColumnVector[] = [
    { kind: 'timestamp', values: Float64Array.from({ length: rows }, (_, i) => i) },
    { kind: 'symbol', dict: TAGS, ids: Int32Array.from({ length: rows }, () => (random() < 0.15 ? -1 : Math.floor(random() * 3))) },
    { kind: 'f64', values: Float64Array.from({ length: rows }, () => pick(FLOATS)), nulls: nulls() },
    { kind: 'i64', values: BigInt64Array.from({ length: rows }, () => BigInt(pick(INT4S))), nulls: nulls() },
    { kind: 'i64', values: BigInt64Array.from({ length: rows }, () => pick(INT8S)), nulls: nulls() },
    { kind: 'bool', values: Uint8Array.from({ length: rows }, () => (random() < 0.5 ? 1 : 0)), nulls: nulls() },
  ]
  return Memtable.fromVectors(SCHEMA, rows, vectors)
}

/** A random expression of `type`. */
function gen(random: () => number, type: ExprType, depth: number): ScanExpr {
  const pick = <T>(list: ReadonlyArray<T>): T => list[Math.floor(random() * list.length)]!
  const leaf = depth <= 0 || random() < 0.25
  const column = { float8: 2, int4: 3, int8: 4, bool: 5 } as Record<string, number>
  if (leaf) {
    if (random() < 0.6 && column[type] !== undefined) return { k: 'column', column: column[type]!, type }
    const value: ExprValue = type === 'float8' ? pick(FLOATS) : type === 'int4' ? pick(INT4S) : type === 'int8' ? pick(INT8S) : random() < 0.5
    return { k: 'const', value: random() < 0.1 ? null : value, type }
  }
  const sub = (t: ExprType): ScanExpr => gen(random, t, depth - 1)
  const choice = random()
  if (choice < 0.15) return { k: 'case', whens: [{ when: sub('bool'), then: sub(type) }], else: sub(type), type }
  if (choice < 0.25) return { k: 'coalesce', args: [sub(type), sub(type)], type }
  if (type === 'bool') return genBool(random, sub)
  if (choice < 0.35) return { k: 'negate', arg: sub(type), type }
  if (choice < 0.45) return { k: 'cast', arg: sub(pick(['float8', 'int4', 'int8'] as const)), type }
  const ops = type === 'float8' ? ['+', '-', '*', '/'] as const : ['+', '-', '*', '/', '%'] as const
  return { k: 'arith', op: pick(ops), left: sub(type), right: sub(type), type }
}

function genBool(random: () => number, sub: (t: ExprType) => ScanExpr): ScanExpr {
  const pick = <T>(list: ReadonlyArray<T>): T => list[Math.floor(random() * list.length)]!
  const t = pick(['float8', 'int4', 'int8', 'bool'] as const)
  const tag: ScanExpr = { k: 'column', column: 1, type: 'text' }
  switch (Math.floor(random() * 9)) {
    case 0: return { k: 'compare', op: pick(['=', '<>', '<', '<=', '>', '>='] as ExprCompareOp[]), left: sub(t), right: sub(t) }
    case 1: return { k: random() < 0.5 ? 'and' : 'or', args: [sub('bool'), sub('bool'), sub('bool')] }
    case 2: return { k: 'not', arg: sub('bool') }
    case 3: return { k: 'isNull', arg: random() < 0.3 ? tag : sub(t), negated: random() < 0.5 }
    case 4: return { k: 'isDistinct', left: sub(t), right: sub(t), negated: random() < 0.5 }
    case 5: return { k: 'in', arg: { k: 'column', column: 2, type: 'float8' }, values: [pick(FLOATS), pick(FLOATS), random() < 0.3 ? null : 0], negated: random() < 0.5 }
    case 6: return { k: 'compare', op: random() < 0.5 ? '=' : '<>', left: tag, right: { k: 'const', value: pick([...TAGS, null]), type: 'text' } }
    case 7: return { k: 'in', arg: tag, values: [pick(TAGS), random() < 0.3 ? null : pick(TAGS)], negated: random() < 0.5 }
    default: return { k: 'compare', op: '>', left: sub('int4'), right: sub('int4') }
  }
}

const RANGE = { int2: [-32768n, 32767n], int4: [-2147483648n, 2147483647n], int8: [-(2n ** 63n), 2n ** 63n - 1n] } as Record<string, [bigint, bigint]>

function checked(value: bigint, type: ExprType): number | bigint {
  const [min, max] = RANGE[type]!
  if (value < min || value > max) throw new RowError('NumericOutOfRange')
  return type === 'int8' ? value : Number(value)
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x)
  const d = x - f
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1
}

function floatOp(op: string, x: number, y: number): number {
  const inf = (v: number) => v === Infinity || v === -Infinity
  if (op === '/' && y === 0 && !Number.isNaN(x)) throw new RowError('DivisionByZero')
  const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y
  const infOk = op === '/' ? inf(x) : inf(x) || inf(y)
  const zeroOk = op === '*' ? x === 0 || y === 0 : op === '/' ? x === 0 || inf(y) : true
  if (inf(r) && !infOk) throw new RowError('NumericOutOfRange')
  if (r === 0 && !zeroOk) throw new RowError('NumericOutOfRange')
  return r
}

function order(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number' && (Number.isNaN(a) || Number.isNaN(b))) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1
  return a! < b! ? -1 : a! > b! ? 1 : 0
}

function cell(memtable: Memtable, column: number, type: ExprType, row: number): Value {
  const col = memtable.columns[column]!
  if (col.kind === 'symbol') return col.ids[row] === -1 ? null : col.dict[col.ids[row]!]!
  if (col.kind === 'text' || col.nulls[row] === 1) return null
  if (col.kind === 'bool') return col.values[row] === 1
  if (col.kind === 'i64') return type === 'int8' ? col.values[row]! : Number(col.values[row]!)
  return col.values[row]!
}

function typeOf(e: ScanExpr): ExprType {
  return 'type' in e ? e.type : 'bool'
}

/** PostgreSQL's value of `e` on one row; throws RowError as PostgreSQL raises. */
function ref(e: ScanExpr, m: Memtable, row: number): Value {
  const v = (x: ScanExpr): Value => ref(x, m, row)
  switch (e.k) {
    case 'column': return cell(m, e.column, e.type, row)
    case 'const': return e.value
    case 'arith': {
      const [x, y] = [v(e.left), v(e.right)] // strict: both arguments are evaluated, then NULL gives NULL
      if (x === null || y === null) return null
      if (e.type === 'float8') return floatOp(e.op, x as number, y as number)
      const [a, b] = [BigInt(x as number), BigInt(y as number)]
      if ((e.op === '/' || e.op === '%') && b === 0n) throw new RowError('DivisionByZero')
      if (e.op === '%') return e.type === 'int8' ? a % b : Number(a % b)
      return checked(e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b, e.type)
    }
    case 'negate': { const x = v(e.arg); return x === null ? null : e.type === 'float8' ? -(x as number) : checked(-BigInt(x as number), e.type) }
    case 'cast': {
      const x = v(e.arg)
      if (x === null) return null
      if (e.type === 'float8') return Number(x)
      if (typeof x === 'number' && !Number.isInteger(x)) { if (!Number.isFinite(x)) throw new RowError('NumericOutOfRange'); return checked(BigInt(roundHalfEven(x)), e.type) }
      return checked(BigInt(x as number), e.type)
    }
    case 'compare': {
      const [x, y] = [v(e.left), v(e.right)]
      if (x === null || y === null) return null
      const o = order(x, y)
      return { '=': o === 0, '<>': o !== 0, '<': o < 0, '<=': o <= 0, '>': o > 0, '>=': o >= 0 }[e.op]
    }
    case 'and': case 'or': {
      let sawNull = false
      for (const arg of e.args) { const x = v(arg); if (x === null) sawNull = true; else if (x === (e.k === 'or')) return x }
      return sawNull ? null : e.k === 'and'
    }
    case 'not': { const x = v(e.arg); return x === null ? null : !x }
    case 'isNull': return (v(e.arg) === null) !== e.negated
    case 'isDistinct': { const [x, y] = [v(e.left), v(e.right)]; return (x === null || y === null ? x !== y : order(x, y) !== 0) !== e.negated }
    case 'in': {
      const x = v(e.arg)
      if (x === null) return null
      if (e.values.some((c) => c !== null && order(x, c) === 0)) return !e.negated
      return e.values.includes(null) ? null : e.negated
    }
    case 'case': { for (const w of e.whens) if (v(w.when) === true) return v(w.then); return v(e.else) }
    case 'coalesce': { for (const arg of e.args) { const x = v(arg); if (x !== null) return x } return null }
  }
}

describe('engine ScanExpr kernels', () => {
  it('keep the rows PostgreSQL keeps and raise as PostgreSQL raises, on 3000 random expressions', () => {
    const random = seededRandom(20261206)
    let raisedCount = 0
    for (let round = 0; round < 3000; round++) {
      const rows = 1 + Math.floor(random() * 40)
      const m = table(random, rows)
      const expr = gen(random, 'bool', 1 + Math.floor(random() * 4))
      assert.equal(typeOf(expr), 'bool')
      const expected: Array<Value | RowError> = []
      for (let row = 0; row < rows; row++) {
        try { expected.push(ref(expr, m, row)) } catch (error) { if (!(error instanceof RowError)) throw error; expected.push(error) }
      }
      const selected = Int32Array.from({ length: rows }, (_, i) => i)
      const context = `round ${round}: ${JSON.stringify(expr, (_, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))}`
      let kept: number[]
      try {
        const count = compileWhere(SCHEMA, { v: EXPR_VERSION, expr }).filter(m.columns, selected, 0, rows)
        kept = [...selected.subarray(0, count)]
      } catch (error) {
        if (!isEngineFailureError(error)) throw error
        raisedCount++
        assert.ok(expected.some((x) => x instanceof RowError && x.kind === error.failure.kind), `${context}: raised ${error.failure.kind}`)
        continue
      }
      assert.ok(!expected.some((x) => x instanceof RowError), `${context}: PostgreSQL raises on some row`)
      assert.deepEqual(kept, expected.flatMap((x, row) => (x === true ? [row] : [])), context)
    }
    assert.ok(raisedCount > 100 && raisedCount < 2900, `both outcomes are exercised (${raisedCount} raised)`)
  })

  it('casts float8 to integers rounding half to even, as rint() does', () => {
    const values = [2.5, -3.5, 0.5, 1.5, -0.5, 2.4999999999999996]
    const m = Memtable.fromVectors(SCHEMA, values.length, [
      { kind: 'timestamp', values: Float64Array.from(values, (_, i) => i) }, undefined,
      { kind: 'f64', values: Float64Array.from(values) }, undefined, undefined, undefined,
    ])
    for (const type of ['int4', 'int8'] as const) {
      const rounded = values.map((x) => roundHalfEven(x))
      for (const target of new Set(rounded)) {
        const value = type === 'int8' ? BigInt(target) : target
        const expr: ScanExpr = { k: 'compare', op: '=', left: { k: 'cast', arg: { k: 'column', column: 2, type: 'float8' }, type }, right: { k: 'const', value, type } }
        const rows = Int32Array.from(values, (_, i) => i)
        const count = compileWhere(SCHEMA, { v: EXPR_VERSION, expr }).filter(m.columns, rows, 0, values.length)
        assert.deepEqual([...rows.subarray(0, count)], rounded.flatMap((r, i) => (r === target ? [i] : [])), `${type} ${target}`)
      }
    }
  })

  it('refuses an expression of another version or reading a column as the wrong type', () => {
    const expr: ScanExpr = { k: 'isNull', arg: { k: 'column', column: 2, type: 'float8' }, negated: false }
    assert.throws(() => compileWhere(SCHEMA, { v: 2 as typeof EXPR_VERSION, expr }), (e: unknown) => isEngineFailureError(e) && e.failure.kind === 'InvalidBatch')
    const wrong: ScanExpr = { k: 'isNull', arg: { k: 'column', column: 3, type: 'float8' }, negated: false }
    assert.throws(() => compileWhere(SCHEMA, { v: EXPR_VERSION, expr: wrong }), (e: unknown) => isEngineFailureError(e) && e.failure.kind === 'InvalidBatch')
  })
})
