// sql/parse/parse-shapes: the parse of a text not seen before, from the template of its shape when there is one
// (literal-template.ts): a text equal to an earlier one but for its literals' values skips libpg-query and the
// adapter. A shape is templated the second time it is seen, and a shape that makes no template is not tried again.
// Paranoid runs (the tests) parse every templated text afresh as well and require the same tree.
import { paranoid } from '../../src/common/assert.js'
import { PARSE_SHAPES_ENTRIES_MAX_COUNT } from '../../src/common/limits.js'
import { scanLiterals } from './literal-scan.js'
import { instantiate, isSameTree, makeTemplate, type LiteralTemplate } from './literal-template.js'
import { LruMap } from './lru-map.js'
import type { LiteralInstance } from '../plan/shape-plan.js'
import type { ParsedSlice } from './parse-sql.js'

/** A shape seen once (no template yet), one that makes none, or its template. */
type ShapeEntry = 'seen' | 'untemplatable' | LiteralTemplate

// One per thread that loads this module; templates are immutable once made.
const SHAPES = new LruMap<string, ShapeEntry>(PARSE_SHAPES_ENTRIES_MAX_COUNT)
let hitCount = 0
// The parses made from a template, with their literals' values: the planner finds the shape's plan by them.
const INSTANCES = new WeakMap<object, LiteralInstance>()
const SELECT_START = /^[\s(]*(?:select|with|values|table)\b/i

/** Texts parsed from a template so far in this thread (tests check that the path they mean to cover was taken). */
export function shapeHitCount(): number {
  return hitCount
}

/** The template and values `ast` was made from, when it was (shape-plan.ts binds them into the shape's plan). */
export function literalInstanceOf(ast: object): LiteralInstance | null {
  return INSTANCES.get(ast) ?? null
}

/** `text`'s statements: from its shape's template, else `parse(text)` (templating the shape on its second sighting). */
export function parseByShape(text: string, parse: (text: string) => ReadonlyArray<ParsedSlice>): ReadonlyArray<ParsedSlice> {
  // Only queries are templated: INSERTs (the fast path's bulk texts among them) are not scanned for nothing.
  if (!SELECT_START.test(text)) return parse(text)
  const scanned = scanLiterals(text)
  if (scanned === null || scanned.literals.length === 0) return parse(text)
  const entry = SHAPES.get(scanned.shape)
  if (typeof entry === 'object') {
    const made = instantiate(entry, text, scanned)
    if (made !== null) {
      const { slices, values } = made
      paranoid(() => isSameTree(slices, parse(text), new Set()), `a templated parse is the text's own parse: ${text}`)
      hitCount++
      INSTANCES.set(slices[0]!.parsed.ast, { template: entry, values, isString: scanned.literals.map((token) => token.kind === 'string') })
      return slices
    }
  }
  const slices = parse(text)
  if (entry === 'seen') SHAPES.set(scanned.shape, makeTemplate(text, scanned, slices, parse) ?? 'untemplatable')
  else if (entry === undefined) SHAPES.set(scanned.shape, 'seen')
  return slices
}
