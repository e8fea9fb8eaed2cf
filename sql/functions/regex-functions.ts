// sql/functions/regex-functions: the POSIX regex operators (~ ~* !~ !~*) and functions (regexp_replace,
// regexp_like, regexp_count, regexp_substr) of PostgreSQL 15, over patterns translated by posix-regex.ts. Match
// extents follow PostgreSQL's rule for greedy REs: the longest match at the leftmost start.
import { invalidParameterValue } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import type { ScalarFunction } from './function-def.js'
import { compilePosixRegex, DEFAULT_REGEX_MODE, parseRegexFlags, type RegexMode } from './posix-regex.js'
import { chars, fn, int, str } from './arg-values.js'
import { formatArrayText } from './array-text.js'
import { regexpSplit } from './regex-split.js'



function checkPositive(name: string, value: number): void {
  if (value <= 0) throw invalidParameterValue(`invalid value for parameter "${name}": ${value}`)
}

/** Flags of regexp_like/count/substr: as regexp_replace's, but 'g' is refused. */
function nonGlobalMode(functionName: string, flags: string): RegexMode {
  const { global, mode } = parseRegexFlags(flags)
  if (global) throw invalidParameterValue(`${functionName}() does not support the "global" option`)
  return mode
}

/** regexp_replace's replacement text: \1…\9 and \& insert captures, \\ a backslash; any other backslash is copied. */
function expandReplacement(replacement: string, match: RegExpExecArray): string {
  let out = ''
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i] ?? ''
    const next = replacement[i + 1]
    if (char !== '\\' || next === undefined) {
      out += char
    } else if (/[1-9&]/.test(next)) {
      out += match[next === '&' ? 0 : Number(next)] ?? ''
      i++
    } else if (next === '\\') {
      out += '\\'
      i++
    } else {
      out += '\\'
    }
  }
  return out
}

/**
 * regexp_replace(source, pattern, replacement[, start[, n]][, flags]): searches from character `start` (lookbehind
 * still sees what precedes it; ^ does not match there) and replaces the n-th match, or every match when n is 0.
 * Without n, flag 'g' means every match and its absence the first; with n, 'g' is ignored, as in PostgreSQL 15.
 */
function regexpReplace(text: string, pattern: string, replacement: string, options: { start: number; n: number | null; flags: string }): string {
  checkPositive('start', options.start)
  if (options.n !== null && options.n < 0) throw invalidParameterValue(`invalid value for parameter "n": ${options.n}`)
  const { global, mode } = parseRegexFlags(options.flags)
  const wanted = options.n ?? (global ? 0 : 1)
  let out = ''
  let copied = 0
  let count = 0
  for (const match of matches(text, compilePosixRegex(pattern, mode, true), options.start)) {
    count++
    if (wanted === 0 || count === wanted) {
      out += text.slice(copied, match.index) + expandReplacement(replacement, match)
      copied = match.index + match[0].length
      if (wanted !== 0) break
    }
  }
  return out + text.slice(copied)
}

/**
 * The successive non-overlapping matches from character `start` (1-based; lookbehind still sees what precedes it,
 * ^ does not match there), each PostgreSQL's longest at its leftmost start; after an empty match the search steps
 * over one character, as PostgreSQL does. `regex` must be global (compilePosixRegex(…, true)).
 */
export function* matches(text: string, regex: RegExp, start: number): Generator<RegExpExecArray> {
  const all = chars(text)
  if (start - 1 > all.length) return
  regex.lastIndex = all.slice(0, start - 1).join('').length
  for (let found = regex.exec(text); found !== null; found = regex.exec(text)) {
    const match = longestMatch(text, regex.source, found)
    regex.lastIndex = match.index + match[0].length
    yield match
    if (match[0] === '') regex.lastIndex = match.index + codeUnitsAt(text, match.index)
    if (regex.lastIndex > text.length) return
  }
}

function codeUnitsAt(text: string, index: number): number {
  return (text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1
}

/**
 * PostgreSQL's greedy ARE match is the longest one at the leftmost start, where JS takes the first alternative that
 * fits ('a|ab' on 'ab'). The start is the same in both; a lookbehind anchored at that start finds every possible
 * end, and the match is redone up to the last one. Back references cannot run inside a lookbehind (JS evaluates it
 * right to left), so patterns with them keep JS's extent.
 */
function longestMatch(text: string, source: string, match: RegExpExecArray): RegExpExecArray {
  if (/\\[1-9]/.test(source.replaceAll('\\\\', ''))) return match
  const startCodePoints = chars(text.slice(0, match.index)).length
  const ends = new RegExp(`(?<=^[^]{${startCodePoints}}(?:${source}))`, 'gu')
  let best = match.index + match[0].length
  ends.lastIndex = best
  for (let end = ends.exec(text); end !== null; end = ends.exec(text)) {
    best = end.index
    if (end.index >= text.length) break
    ends.lastIndex = end.index + codeUnitsAt(text, end.index)
  }
  if (best === match.index + match[0].length) return match
  const exact = new RegExp(`(?:${source})(?=[^]{${chars(text.slice(best)).length}}$)`, 'uy')
  exact.lastIndex = match.index
  return exact.exec(text) ?? match
}

function regexOperator(name: string, caseInsensitive: boolean, negated: boolean): ScalarFunction {
  const mode = { ...DEFAULT_REGEX_MODE, caseInsensitive }
  return fn(name, ['text', 'text'], 'bool', ([text, pattern]) => compilePosixRegex(str(pattern), mode).test(str(text)) !== negated)
}

function regexpCount(text: string, pattern: string, start: number, flags: string): number {
  checkPositive('start', start)
  const found = matches(text, compilePosixRegex(pattern, nonGlobalMode('regexp_count', flags), true), start)
  let count = 0
  for (let next = found.next(); next.done !== true; next = found.next()) count++
  return count
}

/** regexp_substr: the n-th match from `start`, or its subexpression (0 = whole match); NULL when there is none. */
function regexpSubstr(text: string, pattern: string, options: { start: number; n: number; flags: string; subexpr: number }): string | null {
  checkPositive('start', options.start)
  checkPositive('n', options.n)
  if (options.subexpr < 0) throw invalidParameterValue(`invalid value for parameter "subexpr": ${options.subexpr}`)
  let count = 0
  for (const match of matches(text, compilePosixRegex(pattern, nonGlobalMode('regexp_substr', options.flags), true), options.start)) {
    // Without parenthesized subexpressions the whole match counts as subexpression 1, as in PostgreSQL.
    if (++count === options.n) return match.length === 1 && options.subexpr === 1 ? match[0] : (match[options.subexpr] ?? null)
  }
  return null
}

function regexpLike(text: string, pattern: string, flags: string): boolean {
  return compilePosixRegex(pattern, nonGlobalMode('regexp_like', flags)).test(text)
}

function replaceFunctions(): ScalarFunction[] {
  return [
    fn('regexp_replace', ['text', 'text', 'text'], 'text', ([s, p, r]) => regexpReplace(str(s), str(p), str(r), { start: 1, n: null, flags: '' })),
    fn('regexp_replace', ['text', 'text', 'text', 'text'], 'text', ([s, p, r, f]) =>
      regexpReplace(str(s), str(p), str(r), { start: 1, n: null, flags: str(f) }),
    ),
    fn('regexp_replace', ['text', 'text', 'text', 'int4'], 'text', ([s, p, r, start]) =>
      regexpReplace(str(s), str(p), str(r), { start: int(start), n: null, flags: '' }),
    ),
    fn('regexp_replace', ['text', 'text', 'text', 'int4', 'int4'], 'text', ([s, p, r, start, n]) =>
      regexpReplace(str(s), str(p), str(r), { start: int(start), n: int(n), flags: '' }),
    ),
    fn('regexp_replace', ['text', 'text', 'text', 'int4', 'int4', 'text'], 'text', ([s, p, r, start, n, f]) =>
      regexpReplace(str(s), str(p), str(r), { start: int(start), n: int(n), flags: str(f) }),
    ),
  ]
}

function matchFunctions(): ScalarFunction[] {
  const substr = (args: ReadonlyArray<SqlValue>): SqlValue =>
    regexpSubstr(str(args[0]), str(args[1]), {
      start: args[2] === undefined ? 1 : int(args[2]),
      n: args[3] === undefined ? 1 : int(args[3]),
      flags: args[4] === undefined ? '' : str(args[4]),
      subexpr: args[5] === undefined ? 0 : int(args[5]),
    })
  return [
    fn('regexp_like', ['text', 'text'], 'bool', ([s, p]) => regexpLike(str(s), str(p), '')),
    fn('regexp_like', ['text', 'text', 'text'], 'bool', ([s, p, f]) => regexpLike(str(s), str(p), str(f))),
    fn('regexp_count', ['text', 'text'], 'int4', ([s, p]) => regexpCount(str(s), str(p), 1, '')),
    fn('regexp_count', ['text', 'text', 'int4'], 'int4', ([s, p, start]) => regexpCount(str(s), str(p), int(start), '')),
    fn('regexp_count', ['text', 'text', 'int4', 'text'], 'int4', ([s, p, start, f]) => regexpCount(str(s), str(p), int(start), str(f))),
    fn('regexp_substr', ['text', 'text'], 'text', substr),
    fn('regexp_substr', ['text', 'text', 'int4'], 'text', substr),
    fn('regexp_substr', ['text', 'text', 'int4', 'int4'], 'text', substr),
    fn('regexp_substr', ['text', 'text', 'int4', 'int4', 'text'], 'text', substr),
    fn('regexp_substr', ['text', 'text', 'int4', 'int4', 'text', 'int4'], 'text', substr),
    // substring(text FROM pattern): the first parenthesized subexpression's match, or the whole match without one.
    fn('substring', ['text', 'text'], 'text', ([s, p]) => regexpSubstr(str(s), str(p), { start: 1, n: 1, flags: '', subexpr: 1 })),
    fn('regexp_split_to_array', ['text', 'text'], '_text', ([s, p]) => formatArrayText(regexpSplit(str(s), str(p), '', 'regexp_split_to_array'))),
    fn('regexp_split_to_array', ['text', 'text', 'text'], '_text', ([s, p, f]) => formatArrayText(regexpSplit(str(s), str(p), str(f), 'regexp_split_to_array'))),
    regexOperator('~', false, false),
    regexOperator('~*', true, false),
    regexOperator('!~', false, true),
    regexOperator('!~*', true, true),
  ]
}

export const REGEX_FUNCTIONS: ReadonlyArray<ScalarFunction> = [...replaceFunctions(), ...matchFunctions()]
