// sql/parse/adapt-node: the narrowing kit for libpg-query's JSON (protobuf JSON of PostgreSQL's parse nodes) and the
// adapter's per-statement context. Everything here takes `unknown` and proves its shape before use; nothing knows the
// library's types, and nothing of the JSON leaks past the adapt-*.ts files.
import { featureNotSupported, programLimitExceeded } from '../../src/common/errors.js'
import { SQL_EXPR_DEPTH_MAX_COUNT } from '../../src/common/limits.js'
import type { SqlExpr, SqlQuery } from './ast.js'

/** A parse node's fields, after `isNode` has proved it is a plain object. */
export type Node = { readonly [field: string]: unknown }

export function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A field that must be a node, or null when absent (protobuf JSON omits empty fields). */
export function nodeField(node: Node, field: string): Node | null {
  const value = node[field]
  return isNode(value) ? value : null
}

/** A list field; [] when absent. */
export function list(node: Node, field: string): ReadonlyArray<unknown> {
  const value = node[field]
  return Array.isArray(value) ? value : []
}

/** A string field; '' when absent (protobuf JSON omits the empty string). */
export function str(node: Node, field: string): string {
  const value = node[field]
  return typeof value === 'string' ? value : ''
}

/** A number field; 0 when absent (protobuf JSON omits zero). */
export function num(node: Node, field: string): number {
  const value = node[field]
  return typeof value === 'number' ? value : 0
}

export function bool(node: Node, field: string): boolean {
  return node[field] === true
}

/** A wrapped node `{ TypeName: { … } }`: its type name and fields; null for anything else. */
export function unwrap(value: unknown): { readonly type: string; readonly node: Node } | null {
  if (!isNode(value)) return null
  const keys = Object.keys(value)
  if (keys.length !== 1) return null
  const type = keys[0] ?? ''
  const inner = value[type]
  return isNode(inner) ? { type, node: inner } : null
}

/** The fields of a wrapped node of the given type, or null when `value` is something else. */
export function wrapped(value: unknown, type: string): Node | null {
  const found = unwrap(value)
  return found !== null && found.type === type ? found.node : null
}

/** The svals of a list of String nodes (names such as ['pg_catalog', 'int4']); null when an item is not a String. */
export function stringList(values: ReadonlyArray<unknown>): string[] | null {
  const names: string[] = []
  for (const value of values) {
    const string = wrapped(value, 'String')
    if (string === null) return null
    names.push(str(string, 'sval'))
  }
  return names
}

/**
 * Maps libpg-query's UTF-8 byte offsets to UTF-16 code unit offsets (what JavaScript strings and our positions
 * count). For ASCII text they are equal; otherwise it keeps one entry per non-ASCII character, not per byte, so a
 * 64 MiB INSERT with a few accents costs a few entries.
 */
export class ByteOffsets {
  /** Byte offset just past each non-ASCII character, and the surplus of bytes over code units up to there. */
  private readonly ends: number[] = []
  private readonly surplus: number[] = []

  constructor(text: string) {
    if (!/[^\x00-\x7f]/.test(text)) return
    let bytes = 0
    let extra = 0
    for (let i = 0; i < text.length; i++) {
      const code = text.codePointAt(i) ?? 0
      if (code < 0x80) { bytes += 1; continue }
      const width = code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
      const units = code < 0x10000 ? 1 : 2
      bytes += width
      extra += width - units
      if (units === 2) i++
      this.ends.push(bytes)
      this.surplus.push(extra)
    }
  }

  /** The code unit offset of byte offset `byte` (which starts a character). */
  toChar(byte: number): number {
    let low = 0
    let high = this.ends.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((this.ends[mid] ?? 0) <= byte) low = mid + 1
      else high = mid
    }
    return low === 0 ? byte : byte - (this.surplus[low - 1] ?? 0)
  }
}

/** What adapting one statement needs: the whole Query text (positions are into it) and the highest $n seen. */
export interface AdaptContext {
  readonly text: string
  readonly offsets: ByteOffsets
  /** Position of the statement's first token: the fallback for nodes PostgreSQL gives no location. */
  readonly statementPos: number
  /** The query adapter (adapt-query.ts), handed in by adapter.ts so expressions can hold subqueries without an import cycle. */
  readonly adaptQuery: (ctx: AdaptContext, select: Node, pos: number) => SqlQuery
  maxParam: number
  /** Expressions being adapted around the current one (bounded by SQL_EXPR_DEPTH_MAX_COUNT). */
  depth: number
}

/** A node's 0-based position in the whole text: its `location` when PostgreSQL recorded one, else `fallback`. */
export function loc(ctx: AdaptContext, node: Node, fallback: number): number {
  const location = node.location
  return typeof location === 'number' && location >= 0 ? ctx.offsets.toChar(location) : fallback
}

/** Refuses a construct the adapter has no node for: 0A000 with a 1-based position. */
export function unsupported(what: string, pos: number): never {
  throw featureNotSupported(what, pos + 1)
}

/** The smallest location anywhere inside `value` (for nodes without their own, e.g. SelectStmt); else `fallback`. */
export function firstPos(ctx: AdaptContext, value: unknown, fallback: number): number {
  let min = Infinity
  const walk = (inner: unknown): void => {
    if (Array.isArray(inner)) {
      for (const item of inner) walk(item)
    } else if (isNode(inner)) {
      for (const [key, field] of Object.entries(inner)) {
        if (key === 'location' && typeof field === 'number' && field >= 0 && field < min) min = field
        else if (typeof field === 'object') walk(field)
      }
    }
  }
  walk(value)
  return min === Infinity ? fallback : ctx.offsets.toChar(min)
}

/** The expression adapter's signature, passed to the modules it calls (adapt-operator, adapt-call) to avoid a cycle. */
export type AdaptExpr = (ctx: AdaptContext, value: unknown) => SqlExpr

/** A call built from SQL syntax (COALESCE, GREATEST, NULLIF, CURRENT_TIMESTAMP): plain, no aggregate parts. */
export function plainCall(name: string, args: ReadonlyArray<SqlExpr>, pos: number): SqlExpr {
  return { kind: 'ExprCall', name, schema: null, args, star: false, distinct: false, filter: null, orderBy: [], withinGroup: false, over: null, pos }
}

/** A subquery inside an expression or FROM: the stack of ~8 nested expressions (~800 of them overflowed at weight 1). */
export const SUBQUERY_NESTING_WEIGHT = 6

/**
 * Counts `weight` levels of nesting into ctx.depth, refusing past SQL_EXPR_DEPTH_MAX_COUNT (54000) before the
 * recursive adapter could overflow the stack. The caller subtracts the weight when done; no try/finally, because a
 * throw fails the whole statement and drops its context.
 */
export function enterNesting(ctx: AdaptContext, weight: number): void {
  ctx.depth += weight
  if (ctx.depth > SQL_EXPR_DEPTH_MAX_COUNT) throw programLimitExceeded(`statement nesting exceeds ${SQL_EXPR_DEPTH_MAX_COUNT} levels`)
}
