// sql/functions/similar-escape: `x SIMILAR TO p [ESCAPE e]` is parsed by PostgreSQL as `x ~ similar_to_escape(p, e)`;
// similar_to_escape rewrites the SQL regular expression into a POSIX one anchored as ^(?: … )$, exactly as
// PostgreSQL 15's similar_escape_internal does (% → .*, _ → ., ( → (?:, escaped " separators → the substring
// parts, \ . ^ $ escaped), so the ~ operator's engine matches it with PostgreSQL's semantics.
import { invalidEscapeSequence, invalidUseOfEscapeCharacter } from '../../src/common/errors.js'
import type { ScalarFunction } from './function-def.js'
import { chars, fn, str } from './arg-values.js'

/** The separator each escaped double quote becomes: the first closes the prefix part, the second the middle. */
const QUOTE_SEPARATORS = ['){1,1}?(', '){1,1}(?:'] as const

export function similarToEscape(pattern: string, escape: string | null): string {
  const escapeChars = escape === null ? ['\\'] : chars(escape)
  if (escapeChars.length > 1) {
    throw invalidEscapeSequence('invalid escape string', 'Escape string must be empty or one character.')
  }
  const e = escapeChars[0] ?? null
  let out = '^(?:'
  let afterEscape = false
  let inCharClass = false
  let quotes = 0
  for (const c of chars(pattern)) {
    if (afterEscape) {
      if (c === '"' && !inCharClass) {
        if (quotes > 1) throw invalidUseOfEscapeCharacter('SQL regular expression may not contain more than two escape-double-quote separators')
        out += QUOTE_SEPARATORS[quotes]!
        quotes++
      } else {
        out += `\\${c}`
      }
      afterEscape = false
    } else if (e !== null && c === e) {
      afterEscape = true
    } else if (inCharClass) {
      if (c === '\\') out += '\\'
      out += c
      if (c === ']') inCharClass = false
    } else if (c === '[') {
      out += c
      inCharClass = true
    } else if (c === '%') {
      out += '.*'
    } else if (c === '_') {
      out += '.'
    } else if (c === '(') {
      out += '(?:'
    } else if (c === '\\' || c === '.' || c === '^' || c === '$') {
      out += `\\${c}`
    } else {
      out += c
    }
  }
  return `${out})$`
}

export const SIMILAR_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  fn('similar_to_escape', ['text'], 'text', ([p]) => similarToEscape(str(p), null)),
  fn('similar_to_escape', ['text', 'text'], 'text', ([p, e]) => similarToEscape(str(p), str(e))),
]
