// sql/functions/regex-split: regexp_split_to_array / regexp_split_to_table and regexp_matches, over the same POSIX
// matcher as regexp_replace (regex-functions.ts). Splitting skips PostgreSQL's "degenerate" empty matches — at
// the start or end of the string, or right after the previous match — as setup_regexp_matches does for them.
import { invalidParameterValue } from '../../src/common/errors.js'
import { formatArrayText } from './array-text.js'
import { compilePosixRegex, parseRegexFlags } from './posix-regex.js'
import { matches } from './regex-functions.js'

/** The pieces of `text` between the matches of `pattern` (regexp_split_to_table's rows). */
export function regexpSplit(text: string, pattern: string, flags: string, functionName: string): string[] {
  const { global, mode } = parseRegexFlags(flags)
  if (global) throw invalidParameterValue(`${functionName}() does not support the "global" option`)
  const pieces: string[] = []
  let from = 0
  for (const match of matches(text, compilePosixRegex(pattern, mode, true), 1)) {
    const end = match.index + match[0].length
    if (match[0] === '' && (match.index === 0 || match.index >= text.length || match.index === from)) continue
    pieces.push(text.slice(from, match.index))
    from = end
  }
  pieces.push(text.slice(from))
  return pieces
}

/**
 * regexp_matches' rows: per match (the first, or every one with flag 'g') the text of each parenthesized
 * subexpression (NULL where it took no part), or the whole match when the pattern has none — as text[] values.
 */
export function regexpMatchRows(text: string, pattern: string, flags: string): string[] {
  const { global, mode } = parseRegexFlags(flags)
  const rows: string[] = []
  for (const match of matches(text, compilePosixRegex(pattern, mode, true), 1)) {
    const groups = match.length > 1 ? match.slice(1).map((g) => (g === undefined ? null : g)) : [match[0]]
    rows.push(formatArrayText(groups))
    if (!global) break
  }
  return rows
}
