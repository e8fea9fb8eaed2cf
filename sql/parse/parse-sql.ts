// sql/parse/parse-sql: Query text → our parsed statements. The literal-only INSERT fast path first (whole text one
// INSERT), else libpg-query through the adapter. Any statement failing to parse fails the whole text (nothing of it
// runs). Results for short texts are kept in a bounded LRU: they are immutable plain data, so sharing them is safe.
// A text not seen before may still share its shape with one that was (literals aside): parse-shapes.ts.
import { paranoid } from '../../src/common/assert.js'
import { PARSE_CACHE_ENTRIES_MAX_COUNT, PARSE_CACHE_TEXT_CHARS_MAX } from '../../src/common/limits.js'
import type { ParsedStatement } from './ast.js'
import { parseStatements } from './adapter.js'
import { parseFastInsert } from './fast-insert.js'
import { LruMap } from './lru-map.js'
import { parseByShape } from './parse-shapes.js'

export interface ParsedSlice {
  readonly text: string
  readonly parsed: ParsedStatement
}

// One cache per thread that loads this module; it only ever holds finished, immutable parse results.
const PARSE_CACHE = new LruMap<string, ReadonlyArray<ParsedSlice>>(PARSE_CACHE_ENTRIES_MAX_COUNT)

/** Freezes a parse result all the way down, so a caller that mutates a shared (cached) tree throws in paranoid runs. */
function deepFreeze(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return true
  Object.freeze(value)
  for (const inner of Object.values(value)) deepFreeze(inner)
  return true
}

function parseUncached(text: string): ReadonlyArray<ParsedSlice> {
  const fast = parseFastInsert(text, 0)
  if (fast !== null) {
    // The general path's statement text: trimmed, without the semicolon.
    const own = text.trim().replace(/;$/, '').trimEnd()
    return [{ text: own, parsed: { kind: 'ParsedStatement', ast: fast.ast, paramCount: fast.paramCount } }]
  }
  return parseStatements(text).map((statement) => ({
    text: statement.text,
    parsed: { kind: 'ParsedStatement', ast: statement.ast, paramCount: statement.paramCount },
  }))
}

export function parseSql(text: string): ReadonlyArray<ParsedSlice> {
  if (text.length > PARSE_CACHE_TEXT_CHARS_MAX) return parseUncached(text)
  const cached = PARSE_CACHE.get(text)
  if (cached !== undefined) return cached
  const slices = parseByShape(text, parseUncached)
  paranoid(() => deepFreeze(slices), 'cached parse results are immutable')
  PARSE_CACHE.set(text, slices)
  return slices
}
