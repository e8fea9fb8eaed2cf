// sql/parse/parse-sql: Query text → our parsed statements. Splits at top-level semicolons, tries the utility front
// layer, then the adapter. Any statement failing to parse fails the whole text (nothing of it runs).
import type { ParsedStatement } from './ast.js'
import { adaptStatement } from './adapter.js'
import { parseFastInsert } from './fast-insert.js'
import { splitStatements } from './split-statements.js'
import { parseUtility } from './utility.js'

export interface ParsedSlice {
  readonly text: string
  readonly parsed: ParsedStatement
}

export function parseSql(text: string): ReadonlyArray<ParsedSlice> {
  return splitStatements(text).map((slice) => {
    const utility = parseUtility(slice.text)
    if (utility !== null) return { text: slice.text.trim(), parsed: { kind: 'ParsedStatement', ast: utility, paramCount: 0 } }
    const { ast, paramCount } = parseFastInsert(slice.text, slice.offset) ?? adaptStatement(slice.text, slice.offset)
    return { text: slice.text.trim(), parsed: { kind: 'ParsedStatement', ast, paramCount } }
  })
}
