// sql/parse/parse-sql: Query text → our parsed statements. The literal-only INSERT fast path first (whole text one
// INSERT), else libpg-query through the adapter. Any statement failing to parse fails the whole text (nothing of it
// runs). Results for short texts are kept in a bounded LRU: they are immutable plain data, so sharing them is safe.
import { paranoid } from '../../src/common/assert.js'
import { PARSE_CACHE_ENTRIES_MAX_COUNT, PARSE_CACHE_TEXT_CHARS_MAX } from '../../src/common/limits.js'
import type { ParsedStatement } from './ast.js'
import { parseStatements } from './adapter.js'
import { parseFastInsert } from './fast-insert.js'

export interface ParsedSlice {
  readonly text: string
  readonly parsed: ParsedStatement
}

/** A least-recently-used map on Map's insertion order: a hit moves the entry to the back, eviction takes the front. */
class ParseCache {
  private readonly entries = new Map<string, ReadonlyArray<ParsedSlice>>()

  constructor(private readonly capacityCount: number) {}

  get(text: string): ReadonlyArray<ParsedSlice> | undefined {
    const found = this.entries.get(text)
    if (found !== undefined) {
      this.entries.delete(text)
      this.entries.set(text, found)
    }
    return found
  }

  set(text: string, slices: ReadonlyArray<ParsedSlice>): void {
    this.entries.set(text, slices)
    if (this.entries.size > this.capacityCount) {
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
    }
  }
}

// One cache per thread that loads this module; it only ever holds finished, immutable parse results.
const PARSE_CACHE = new ParseCache(PARSE_CACHE_ENTRIES_MAX_COUNT)

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
  const slices = parseUncached(text)
  paranoid(() => deepFreeze(slices), 'cached parse results are immutable')
  PARSE_CACHE.set(text, slices)
  return slices
}
