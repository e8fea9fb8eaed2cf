// engine/timeseries/expr-eval: compiles a ScanWhere into a tree of vector kernels (expr-kernels.ts) over one
// memtable and runs it chunk by chunk on a selection vector. Control flow is PostgreSQL's: AND/OR see only the rows
// their earlier arguments left undecided, a CASE branch only the rows its WHEN chose, a COALESCE argument only the
// rows still NULL — so a row PostgreSQL would not evaluate an expression on is never computed (and never raises).
// Each node owns its output buffers, allocated once per compile; nothing per row is boxed. Knows nothing of SQL.
import { EngineFailureError } from '../api.js'
import { EXPR_VERSION, type ExprType, type ExprValue, type ScanExpr, type ScanWhere } from '../expr.js'
import type { TableSchema } from '../ops.js'
import { arith, cast, compare, distinct, EXPR_CHUNK_ROWS, inList, negate, newVec, type Vec } from './expr-kernels.js'
import type { MemColumn } from './memtable.js'

/** The chunk a compiled expression reads: memtable columns and the first row of the chunk. */
interface Chunk {
  columns: ReadonlyArray<MemColumn>
  base: number
}

/** Computes a node's vector for the selected chunk-relative rows; the selection is never written. */
type Kernel = (sel: Uint32Array, n: number) => Vec

function invalid(detail: string): EngineFailureError {
  return new EngineFailureError({ kind: 'InvalidBatch', detail })
}

const COLUMN_KINDS: Readonly<Record<ExprType, ReadonlyArray<MemColumn['kind']>>> = {
  bool: ['bool'], int2: ['i64'], int4: ['i64'], int8: ['i64'], float8: ['f64'], timestamp: ['timestamp'], text: ['symbol', 'text'],
}

function typeOf(expr: ScanExpr): ExprType {
  switch (expr.k) {
    case 'column': case 'const': case 'arith': case 'negate': case 'case': case 'coalesce': case 'cast': return expr.type
    default: return 'bool'
  }
}

function columnKernel(chunk: Chunk, schema: TableSchema, expr: Extract<ScanExpr, { k: 'column' }>): Kernel {
  const kind = schema.columns[expr.column]?.kind
  if (kind === undefined || !COLUMN_KINDS[expr.type].includes(kind) || expr.type === 'text') {
    throw invalid(`expression reads column #${expr.column} as ${expr.type}`)
  }
  const out = newVec(expr.type)
  return (sel, n) => {
    const column = chunk.columns[expr.column]!
    const base = chunk.base
    if (column.kind === 'f64' || column.kind === 'timestamp') {
      out.num = column.values.subarray(base)
      out.nul = column.nulls.subarray(base)
    } else if (column.kind === 'i64' && expr.type === 'int8') {
      out.big = column.values.subarray(base)
      out.nul = column.nulls.subarray(base)
    } else if (column.kind === 'i64' || column.kind === 'bool') {
      const values = column.values
      for (let j = 0; j < n; j++) { const i = sel[j]!; out.num[i] = Number(values[base + i]!) }
      out.nul = column.nulls.subarray(base)
    }
    return out
  }
}

function putConst(out: Vec, i: number, value: ExprValue, type: ExprType): void {
  out.nul[i] = value === null || value === undefined ? 1 : 0
  if (out.nul[i] === 1) return
  if (type === 'int8') out.big[i] = BigInt(value as bigint | number)
  else out.num[i] = typeof value === 'boolean' ? (value ? 1 : 0) : Number(value)
}

function constVec(value: ExprValue, type: ExprType): Vec {
  const out = newVec(type)
  if (value === null || value === undefined) out.nul.fill(1)
  else if (type === 'int8') out.big.fill(BigInt(value as bigint | number))
  else out.num.fill(typeof value === 'boolean' ? (value ? 1 : 0) : Number(value))
  return out
}

/** 1 true, 0 false, 2 NULL. */
type Verdict = 0 | 1 | 2

/** A bool vector from a per-cell verdict over a text column (a symbol column decides each dictionary entry once). */
function textKernel(chunk: Chunk, column: number, test: (text: string | null) => Verdict): Kernel {
  const out = newVec('bool')
  let verdicts: Uint8Array | null = null
  let nullVerdict: Verdict = 2
  const put = (i: number, verdict: number): void => { out.nul[i] = verdict === 2 ? 1 : 0; out.num[i] = verdict === 1 ? 1 : 0 }
  return (sel, n) => {
    const col = chunk.columns[column]!
    const base = chunk.base
    if (col.kind === 'symbol') {
      if (verdicts === null || verdicts.length !== col.dict.length) {
        verdicts = Uint8Array.from(col.dict, test)
        nullVerdict = test(null)
      }
      for (let j = 0; j < n; j++) { const i = sel[j]!; const id = col.ids[base + i]!; put(i, id === -1 ? nullVerdict : verdicts[id]!) }
    } else if (col.kind === 'text') {
      for (let j = 0; j < n; j++) { const i = sel[j]!; put(i, test(col.values[base + i] ?? null)) }
    } else {
      throw invalid(`column #${column} is not text`)
    }
    return out
  }
}

type TextNode = Extract<ScanExpr, { k: 'compare' | 'isDistinct' | 'in' | 'isNull' }>

/** Text predicates: a text column against constants (= and <> compare code units, as the engine's symbols do). */
function textPredicate(chunk: Chunk, expr: TextNode): Kernel {
  const sides = expr.k === 'compare' || expr.k === 'isDistinct' ? [expr.left, expr.right] : [expr.arg]
  const col = sides.find((s) => s.k === 'column')
  const other = sides.find((s) => s !== col)
  if (col?.k !== 'column' || (other !== undefined && other.k !== 'const')) throw invalid('a text expression compares a text column with constants only')
  const constant = other?.k === 'const' ? other.value : null
  const bit = (holds: boolean): Verdict => (holds ? 1 : 0)
  switch (expr.k) {
    case 'isNull': return textKernel(chunk, col.column, (text) => bit((text === null) !== expr.negated))
    case 'isDistinct': return textKernel(chunk, col.column, (text) => bit((text !== constant) !== expr.negated))
    case 'compare':
      if (expr.op !== '=' && expr.op !== '<>') throw invalid('text compares only with = and <>')
      return textKernel(chunk, col.column, (text) => (text === null || constant === null ? 2 : bit((text === constant) === (expr.op === '='))))
    case 'in': {
      const values = new Set(expr.values.filter((v) => v !== null).map(String))
      const hasNull = expr.values.includes(null)
      return textKernel(chunk, col.column, (text) => {
        if (text === null) return 2
        const found = values.has(text)
        return !found && hasNull ? 2 : bit(found !== expr.negated)
      })
    }
  }
}

function isTextNode(expr: ScanExpr): boolean {
  if (expr.k === 'compare' || expr.k === 'isDistinct') return typeOf(expr.left) === 'text' || typeOf(expr.right) === 'text'
  return (expr.k === 'in' || expr.k === 'isNull') && typeOf(expr.arg) === 'text'
}

/** Copies the selected rows of `from` into `out`. */
function copyRows(type: ExprType, from: Vec, out: Vec, sel: Uint32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    out.nul[i] = from.nul[i]!
    if (type === 'int8') out.big[i] = from.big[i]!
    else out.num[i] = from.num[i]!
  }
}

/**
 * Runs `kernels` one after the other, each on the rows the earlier ones left undecided: `settles(r, i)` records
 * argument result `r` at row i and says whether that decides the row (then later arguments never see it).
 */
function cascade(kernels: ReadonlyArray<Kernel>, buffers: ReadonlyArray<Uint32Array>, sel: Uint32Array, n: number,
  settles: (r: Vec, i: number) => boolean): void {
  let current = sel
  let m = n
  for (let a = 0; a < kernels.length && m > 0; a++) {
    const r = kernels[a]!(current, m)
    const next = buffers[a]!
    let k = 0
    for (let j = 0; j < m; j++) {
      const i = current[j]!
      if (!settles(r, i)) next[k++] = i
    }
    current = next
    m = k
  }
}

/** AND/OR: each argument sees the rows still undecided (AND: not yet false; OR: not yet true). */
function logicKernel(kernels: ReadonlyArray<Kernel>, isOr: boolean): Kernel {
  const out = newVec('bool')
  const buffers = kernels.map(() => new Uint32Array(EXPR_CHUNK_ROWS))
  const decided = isOr ? 1 : 0
  const settles = (r: Vec, i: number): boolean => {
    if (r.nul[i] === 1) { out.nul[i] = 1; return false }
    if (r.num[i] !== decided) return false
    out.num[i] = decided
    out.nul[i] = 0
    return true
  }
  return (sel, n) => {
    for (let j = 0; j < n; j++) { const i = sel[j]!; out.num[i] = 1 - decided; out.nul[i] = 0 }
    cascade(kernels, buffers, sel, n, settles)
    return out
  }
}

/** CASE: each WHEN sees the rows no earlier WHEN took; its THEN the rows it was true for. */
function caseKernel(type: ExprType, whens: ReadonlyArray<{ when: Kernel; then: Kernel }>, otherwise: Kernel): Kernel {
  const out = newVec(type)
  const buffers = whens.map(() => ({ taken: new Uint32Array(EXPR_CHUNK_ROWS), rest: new Uint32Array(EXPR_CHUNK_ROWS) }))
  return (sel, n) => {
    let current = sel
    let m = n
    for (let w = 0; w < whens.length && m > 0; w++) {
      const { taken, rest } = buffers[w]!
      const c = whens[w]!.when(current, m)
      let t = 0
      let k = 0
      for (let j = 0; j < m; j++) {
        const i = current[j]!
        if (c.nul[i] === 0 && c.num[i] === 1) taken[t++] = i
        else rest[k++] = i
      }
      if (t > 0) copyRows(type, whens[w]!.then(taken, t), out, taken, t)
      current = rest
      m = k
    }
    if (m > 0) copyRows(type, otherwise(current, m), out, current, m)
    return out
  }
}

/** COALESCE: each argument sees the rows the earlier ones left NULL. */
function coalesceKernel(type: ExprType, kernels: ReadonlyArray<Kernel>): Kernel {
  const out = newVec(type)
  const buffers = kernels.map(() => new Uint32Array(EXPR_CHUNK_ROWS))
  const settles = (r: Vec, i: number): boolean => {
    if (r.nul[i] === 1) return false
    out.nul[i] = 0
    if (type === 'int8') out.big[i] = r.big[i]!
    else out.num[i] = r.num[i]!
    return true
  }
  return (sel, n) => {
    for (let j = 0; j < n; j++) out.nul[sel[j]!] = 1
    cascade(kernels, buffers, sel, n, settles)
    return out
  }
}

function binary(left: Kernel, right: Kernel, out: Vec, run: (l: Vec, r: Vec, sel: Uint32Array, n: number) => void): Kernel {
  return (sel, n) => {
    const l = left(sel, n)
    const r = right(sel, n)
    run(l, r, sel, n)
    return out
  }
}

function compileNode(chunk: Chunk, schema: TableSchema, expr: ScanExpr): Kernel {
  const sub = (e: ScanExpr): Kernel => compileNode(chunk, schema, e)
  if (isTextNode(expr)) return textPredicate(chunk, expr as TextNode)
  switch (expr.k) {
    case 'column': return columnKernel(chunk, schema, expr)
    case 'const': { const out = constVec(expr.value, expr.type); return () => out }
    case 'arith': {
      const out = newVec(expr.type)
      return binary(sub(expr.left), sub(expr.right), out, (l, r, sel, n) => arith(expr.op, expr.type, l, r, out, sel, n))
    }
    case 'compare': {
      const out = newVec('bool')
      const type = typeOf(expr.left)
      return binary(sub(expr.left), sub(expr.right), out, (l, r, sel, n) => compare(expr.op, type, l, r, out, sel, n))
    }
    case 'isDistinct': {
      const out = newVec('bool')
      const type = typeOf(expr.left)
      return binary(sub(expr.left), sub(expr.right), out, (l, r, sel, n) => distinct(type, expr.negated, l, r, out, sel, n))
    }
    case 'negate': case 'cast': case 'not': case 'isNull': return unaryNode(sub(expr.arg), expr, typeOf(expr.arg))
    case 'in': {
      const out = newVec('bool')
      const type = typeOf(expr.arg)
      // One slot per value (a list may be longer than a chunk), each written in place.
      const list = newVec(type, expr.values.length)
      expr.values.forEach((value, c) => putConst(list, c, value, type))
      const arg = sub(expr.arg)
      return (sel, n) => { inList(type, expr.negated, arg(sel, n), list, expr.values.length, out, sel, n); return out }
    }
    case 'and': case 'or': return logicKernel(expr.args.map(sub), expr.k === 'or')
    case 'case': return caseKernel(expr.type, expr.whens.map((w) => ({ when: sub(w.when), then: sub(w.then) })), sub(expr.else))
    case 'coalesce': return coalesceKernel(expr.type, expr.args.map(sub))
  }
}

function unaryNode(arg: Kernel, expr: Extract<ScanExpr, { k: 'negate' | 'cast' | 'not' | 'isNull' }>, from: ExprType): Kernel {
  const out = newVec(expr.k === 'negate' || expr.k === 'cast' ? expr.type : 'bool')
  return (sel, n) => {
    const v = arg(sel, n)
    if (expr.k === 'negate') negate(expr.type, v, out, sel, n)
    else if (expr.k === 'cast') cast(from, expr.type, v, out, sel, n)
    else {
      for (let j = 0; j < n; j++) {
        const i = sel[j]!
        if (expr.k === 'not') { out.nul[i] = v.nul[i]!; out.num[i] = 1 - v.num[i]! } else { out.nul[i] = 0; out.num[i] = (v.nul[i] === 1) !== expr.negated ? 1 : 0 }
      }
    }
    return out
  }
}

/** A compiled ScanWhere over one memtable's columns. */
export interface CompiledWhere {
  /** Keeps the rows (memtable row numbers, `count` of them, at most EXPR_CHUNK_ROWS) the expression is true for; returns how many stay. */
  filter(columns: ReadonlyArray<MemColumn>, rows: Int32Array, from: number, count: number): number
}

/** Compiles `where` against `schema`; InvalidBatch for another version or a node that does not type-check. */
export function compileWhere(schema: TableSchema, where: ScanWhere): CompiledWhere {
  if (where.v !== EXPR_VERSION) throw invalid(`expression version ${String(where.v)}, this core runs ${EXPR_VERSION}`)
  if (typeOf(where.expr) !== 'bool') throw invalid('a scan expression must be boolean')
  const chunk: Chunk = { columns: [], base: 0 }
  const root = compileNode(chunk, schema, where.expr)
  const sel = new Uint32Array(EXPR_CHUNK_ROWS)
  return {
    filter(columns, rows, from, count) {
      if (count === 0) return 0
      const base = rows[from]!
      let n = 0
      for (let j = 0; j < count; j++) {
        const offset = rows[from + j]! - base
        if (offset < 0 || offset >= EXPR_CHUNK_ROWS) throw invalid('expression chunk spans too many rows')
        sel[n++] = offset
      }
      chunk.columns = columns
      chunk.base = base
      const result = root(sel, n)
      let kept = 0
      for (let j = 0; j < n; j++) {
        const i = sel[j]!
        if (result.nul[i] === 0 && result.num[i] === 1) rows[from + kept++] = base + i
      }
      return kept
    },
  }
}
