// sql/functions/posix-regex: translates PostgreSQL's POSIX advanced regular expressions (ARE) and LIKE patterns into
// JavaScript RegExps that accept the same strings, under nodedb's "C" collation (character classes and case
// folding are ASCII-only). Constructs without a faithful translation are refused with 0A000, invalid ones get 2201B.
import {
  featureNotSupported,
  invalidEscapeCharacter,
  invalidEscapeSequence,
  invalidParameterValue,
  invalidRegularExpression,
} from '../../src/common/errors.js'

export interface RegexMode {
  readonly caseInsensitive: boolean
  /** '.' and negated brackets do not match a newline (flags n, m, p). */
  readonly newlineExcludedFromDot: boolean
  /** ^ and $ also match after/before a newline (flags n, m, w). */
  readonly newlineAnchors: boolean
  /** The whole pattern is a literal string (flag q, or the ***= prefix). */
  readonly literal: boolean
}

export const DEFAULT_REGEX_MODE: RegexMode = {
  caseInsensitive: false,
  newlineExcludedFromDot: false,
  newlineAnchors: false,
  literal: false,
}

/** Applies one option letter of regexp_replace's flags or an embedded (?…) option; null when not an option. */
function applyOption(mode: RegexMode, letter: string): RegexMode | null {
  switch (letter) {
    case 'i': return { ...mode, caseInsensitive: true }
    case 'c': return { ...mode, caseInsensitive: false }
    case 'n': case 'm': return { ...mode, newlineExcludedFromDot: true, newlineAnchors: true }
    case 'p': return { ...mode, newlineExcludedFromDot: true, newlineAnchors: false }
    case 'w': return { ...mode, newlineExcludedFromDot: false, newlineAnchors: true }
    case 's': return { ...mode, newlineExcludedFromDot: false, newlineAnchors: false }
    case 't': return mode
    case 'q': return { ...mode, literal: true }
    case 'x': throw featureNotSupported('expanded-syntax regular expressions (flag x)')
    case 'b': case 'e': throw featureNotSupported('basic and extended (non-ARE) regular expressions')
    default: return null
  }
}

/** regexp_replace's flags text → whether 'g' was given and the mode; 22023 for an unknown letter. */
export function parseRegexFlags(flags: string): { global: boolean; mode: RegexMode } {
  let mode = DEFAULT_REGEX_MODE
  let global = false
  for (const letter of flags) {
    if (letter === 'g') {
      global = true
      continue
    }
    const next = applyOption(mode, letter)
    if (next === null) throw invalidParameterValue(`invalid regular expression option: "${letter}"`)
    mode = next
  }
  return { global, mode }
}

const SPACE_CHARS = ' \\t\\n\\r\\f\\v'
/** [[:name:]] in the C locale: ASCII only, as PostgreSQL's PG_REGEX_LOCALE_C. Contents of a JS class. */
const CHARACTER_CLASSES: Readonly<Record<string, string>> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: '0-9A-Za-z', upper: 'A-Z', lower: 'a-z', space: SPACE_CHARS,
  blank: ' \\t', punct: '!-\\/:-@\\[-`{-~', xdigit: '0-9A-Fa-f', word: '0-9A-Za-z_', cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~', graph: '!-~', ascii: '\\x00-\\x7f',
}
const CLASS_ESCAPES: Readonly<Record<string, string>> = { d: '0-9', s: SPACE_CHARS, w: '0-9A-Za-z_' }
const SYNTAX_CHARS = new Set('^$\\.*+?()[]{}|/')
const CLASS_SPECIAL = new Set('\\]^[-')
/** Character-entry escapes (\a, \e, …) → the code point they stand for. */
const ENTRY_ESCAPES: Readonly<Record<string, number>> = { a: 7, b: 8, B: 92, e: 27, f: 12, n: 10, r: 13, t: 9, v: 11 }
/** PostgreSQL's RE_DUP_MAX: larger repetition bounds are an error. */
const REPETITION_COUNT_MAX = 255

/** A code point written literally outside a class, with ASCII case folding when asked. */
function literalChar(codePoint: number, caseInsensitive: boolean): string {
  const char = String.fromCodePoint(codePoint)
  if (caseInsensitive && /[A-Za-z]/.test(char)) return `[${char.toLowerCase()}${char.toUpperCase()}]`
  return SYNTAX_CHARS.has(char) ? `\\${char}` : char
}

function classChar(codePoint: number): string {
  const char = String.fromCodePoint(codePoint)
  return CLASS_SPECIAL.has(char) ? `\\${char}` : codePoint < 0x20 ? `\\u{${codePoint.toString(16)}}` : char
}

/** The ASCII other-case counterparts of the range lo..hi, for case-insensitive brackets. */
function foldedRanges(lo: number, hi: number): string {
  let out = ''
  for (const [from, to, shift] of [[65, 90, 32], [97, 122, -32]] as const) {
    const start = Math.max(lo, from)
    const end = Math.min(hi, to)
    if (start <= end) out += `${classChar(start + shift)}-${classChar(end + shift)}`
  }
  return out
}

type ItemKind = 'start' | 'atom' | 'constraint' | 'quantifier'

/** Walks an ARE pattern once, left to right, building the JS source. */
class AreTranslator {
  private readonly chars: ReadonlyArray<string>
  private index = 0
  private groupCount = 0
  /** What the last item was: PostgreSQL refuses a quantifier after a constraint (^, \\y, lookaround) or nothing. */
  private previous: ItemKind = 'start'
  /** Set when a quantifier is made non-greedy (*?, +?, ??, {m,n}?). */
  hasLazyQuantifier = false
  /** Per open group, whether it is a lookaround constraint. */
  private readonly openGroups: boolean[] = []

  constructor(pattern: string, private readonly mode: RegexMode) {
    this.chars = Array.from(pattern)
  }

  translate(): string {
    let out = ''
    while (this.index < this.chars.length) {
      const kind = this.classify()
      if (kind === 'quantifier' && (this.previous === 'constraint' || this.previous === 'start')) {
        throw invalidRegularExpression('quantifier operand invalid')
      }
      if (kind === 'quantifier' && this.previous === 'quantifier') this.hasLazyQuantifier = true
      out += this.atom()
      this.previous = kind === 'groupEnd' ? (this.openGroups.pop() === true ? 'constraint' : 'atom') : kind
    }
    return out
  }

  /** The kind of the item starting at the current position (before translating it). */
  private classify(): ItemKind | 'groupEnd' {
    const char = this.peek()
    if (char === '*' || char === '+' || char === '?') return 'quantifier'
    if (char === '{') return /^\{\d+(,\d*)?\}/.test(this.chars.slice(this.index, this.index + 24).join('')) ? 'quantifier' : 'atom'
    if (char === '^' || char === '$') return 'constraint'
    if (char === '\\') return /[AZmMyY]/.test(this.peek(1) ?? '') ? 'constraint' : 'atom'
    if (char === '(') {
      this.openGroups.push(this.peek(1) === '?' && /[=!<]/.test(this.peek(2) ?? ''))
      return 'start'
    }
    if (char === '|') return 'start'
    return char === ')' ? 'groupEnd' : 'atom'
  }

  private peek(offset = 0): string | undefined {
    return this.chars[this.index + offset]
  }

  private atom(): string {
    const char = this.chars[this.index++] ?? ''
    switch (char) {
      case '\\': return this.escape()
      case '[': return this.bracket()
      case '(': return this.group()
      case '{': return this.brace()
      case '.': return this.mode.newlineExcludedFromDot ? '[^\\n]' : '[^]'
      case '^': return this.mode.newlineAnchors ? '(?:^|(?<=\\n))' : '^'
      case '$': return this.mode.newlineAnchors ? '(?:$|(?=\\n))' : '$'
      case ')': case '|': case '*': case '+': case '?': return char
      default: return literalChar(char.codePointAt(0) ?? 0, this.mode.caseInsensitive)
    }
  }

  private group(): string {
    if (this.peek() !== '?') {
      this.groupCount++
      return '('
    }
    const lookbehind = this.peek(1) === '<'
    const kind = this.chars.slice(this.index + 1, this.index + (lookbehind ? 3 : 2)).join('')
    if ([':', '=', '!', '<=', '<!'].includes(kind)) {
      this.index += 1 + kind.length
      return `(?${kind}`
    }
    throw invalidRegularExpression('quantifier operand invalid')
  }

  /** `{m}`, `{m,}`, `{m,n}` (optionally lazy) are bounds; any other brace is an ordinary character, as in ARE. */
  private brace(): string {
    const rest = this.chars.slice(this.index, this.index + 24).join('')
    const bound = /^(\d+)(,(\d*))?\}/.exec(rest)
    if (bound === null) return '\\{'
    const low = Number(bound[1])
    const high = bound[3] === undefined || bound[3] === '' ? low : Number(bound[3])
    if (low > REPETITION_COUNT_MAX || high > REPETITION_COUNT_MAX || high < low) {
      throw invalidRegularExpression('invalid repetition count(s)')
    }
    this.index += Array.from(bound[0]).length
    return `{${bound[0]}`
  }

  private escape(): string {
    const char = this.chars[this.index++]
    if (char === undefined) throw invalidRegularExpression('invalid escape \\ sequence')
    switch (char) {
      case 'd': case 's': case 'w': return `[${CLASS_ESCAPES[char]}]`
      case 'D': case 'S': case 'W': return `[^${CLASS_ESCAPES[char.toLowerCase()]}]`
      case 'A': return '^'
      case 'Z': return '$'
      case 'm': return '(?<![0-9A-Za-z_])(?=[0-9A-Za-z_])'
      case 'M': return '(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])'
      case 'y': return '(?:(?<![0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<=[0-9A-Za-z_])(?![0-9A-Za-z_]))'
      case 'Y': return '(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))'
      default: break
    }
    if (/[1-9]/.test(char)) return this.backReference(char)
    return literalChar(this.entryEscape(char), this.mode.caseInsensitive)
  }

  private backReference(digit: string): string {
    if (/[0-9]/.test(this.peek() ?? '')) throw featureNotSupported('multi-digit back references and octal escapes in regular expressions')
    if (this.mode.caseInsensitive) throw featureNotSupported('back references in case-insensitive regular expressions')
    if (Number(digit) > this.groupCount) throw invalidRegularExpression('invalid backreference number')
    return `\\${digit}`
  }

  /** A character-entry escape (or an escaped non-alphanumeric) → its code point; 2201B for unknown letters. */
  private entryEscape(char: string): number {
    const known = ENTRY_ESCAPES[char]
    if (known !== undefined) return known
    const hexDigits = char === 'x' ? Infinity : char === 'u' ? 4 : char === 'U' ? 8 : 0
    if (hexDigits > 0) {
      let hex = ''
      while (hex.length < hexDigits && /[0-9A-Fa-f]/.test(this.peek() ?? '')) hex += this.chars[this.index++]
      const codePoint = Number.parseInt(hex, 16)
      if (hex === '' || !(codePoint <= 0x10ffff)) throw invalidRegularExpression('invalid escape \\ sequence')
      return codePoint
    }
    if (char === 'c') {
      const next = this.chars[this.index++]
      if (next === undefined) throw invalidRegularExpression('invalid escape \\ sequence')
      return (next.codePointAt(0) ?? 0) & 0x1f
    }
    if (char === '0') {
      if (/[0-9]/.test(this.peek() ?? '')) throw featureNotSupported('octal escapes in regular expressions')
      return 0
    }
    if (/[0-9A-Za-z]/.test(char)) throw invalidRegularExpression('invalid escape \\ sequence')
    return char.codePointAt(0) ?? 0
  }

  private bracket(): string {
    const negated = this.peek() === '^'
    if (negated) this.index++
    let body = ''
    let first = true
    for (;;) {
      const char = this.chars[this.index]
      if (char === undefined) throw invalidRegularExpression('brackets [] not balanced')
      if (char === ']' && !first) break
      first = false
      body += this.bracketElement()
    }
    this.index++
    if (negated && this.mode.newlineExcludedFromDot) body += '\\n'
    return negated ? `[^${body}]` : `[${body}]`
  }

  /** One element of a bracket: a [:class:], a \-escape or a character, which may start a range. */
  private bracketElement(): string {
    if (this.peek() === '[' && (this.peek(1) === '.' || this.peek(1) === '=')) return this.collatingElement()
    if (this.peek() === '[' && this.peek(1) === ':') {
      const end = this.chars.indexOf(':', this.index + 2)
      const name = this.chars.slice(this.index + 2, end).join('')
      // Case-insensitive matching makes [:upper:] and [:lower:] match letters of either case, as in PostgreSQL.
      const folded = this.mode.caseInsensitive && (name === 'upper' || name === 'lower')
      const contents = folded ? CHARACTER_CLASSES.alpha : CHARACTER_CLASSES[name]
      if (end < 0 || this.peek(end - this.index + 1) !== ']' || contents === undefined) {
        throw invalidRegularExpression('invalid character class')
      }
      this.index = end + 2
      return contents
    }
    if (this.peek() === '\\' && /[dswDSW]/.test(this.peek(1) ?? '')) {
      const letter = this.peek(1) ?? ''
      if (letter !== letter.toLowerCase()) throw invalidRegularExpression('invalid escape \\ sequence')
      this.index += 2
      return CLASS_ESCAPES[letter] ?? ''
    }
    const low = this.bracketChar()
    if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
      this.index++
      const high = this.bracketChar()
      if (high < low) throw invalidRegularExpression('invalid character range')
      const folded = this.mode.caseInsensitive ? foldedRanges(low, high) : ''
      return `${classChar(low)}-${classChar(high)}${folded}`
    }
    return classChar(low) + (this.mode.caseInsensitive ? foldedRanges(low, low) : '')
  }

  /** [.x.] and [=x=] of one character are that character under the C collation; named elements are refused. */
  private collatingElement(): string {
    const delimiter = this.peek(1) ?? ''
    const end = this.chars.findIndex((c, i) => i > this.index + 1 && c === delimiter && this.chars[i + 1] === ']')
    if (end < 0) throw invalidRegularExpression('invalid collating element')
    const name = this.chars.slice(this.index + 2, end)
    if (name.length !== 1) throw featureNotSupported('named collating elements in regular expressions')
    this.index = end + 2
    const codePoint = name[0]?.codePointAt(0) ?? 0
    return classChar(codePoint) + (this.mode.caseInsensitive ? foldedRanges(codePoint, codePoint) : '')
  }

  private bracketChar(): number {
    const char = this.chars[this.index++] ?? ''
    if (char !== '\\') return char.codePointAt(0) ?? 0
    const next = this.chars[this.index++]
    if (next === undefined) throw invalidRegularExpression('brackets [] not balanced')
    return this.entryEscape(next)
  }
}

/** ***= (literal) and ***: (ARE) prefixes and leading (?opts) embedded options → the rest and the mode. */
function readDirectors(pattern: string, mode: RegexMode): { body: string; mode: RegexMode } {
  if (pattern.startsWith('***=')) return { body: pattern.slice(4), mode: { ...mode, literal: true } }
  const body = pattern.startsWith('***:') ? pattern.slice(4) : pattern
  const options = /^\(\?([a-z]*)\)/.exec(body)
  if (options === null || mode.literal) return { body, mode }
  let next = mode
  for (const letter of options[1] ?? '') {
    const applied = applyOption(next, letter)
    if (applied === null) throw invalidRegularExpression('invalid embedded option')
    next = applied
  }
  return { body: body.slice(options[0].length), mode: next }
}

/** The JS source of a PostgreSQL ARE (without flags; compile with 'u'), and whether it has non-greedy quantifiers. */
export function translatePosixRegex(pattern: string, mode: RegexMode): { source: string; hasLazyQuantifier: boolean } {
  const { body, mode: effective } = readDirectors(pattern, mode)
  if (effective.literal) {
    const source = Array.from(body, (c) => literalChar(c.codePointAt(0) ?? 0, effective.caseInsensitive)).join('')
    return { source, hasLazyQuantifier: false }
  }
  const translator = new AreTranslator(body, effective)
  const source = translator.translate()
  return { source, hasLazyQuantifier: translator.hasLazyQuantifier }
}

/** Compiled patterns by mode and text: WHERE col ~ 'x' evaluates the same pattern once per row. */
const REGEX_CACHE = new Map<string, RegExp>()
/** Enough for the distinct patterns of a few concurrent statements; the cache is dropped whole when full. */
const REGEX_CACHE_ENTRIES_MAX = 256

/**
 * A PostgreSQL ARE as a RegExp ('u' flag; 'g' for replacing). 2201B when invalid, 0A000 when untranslatable.
 * Whether a string matches is the same in both engines; where a match starts and ends is too, except that
 * PostgreSQL gives the whole RE one preference (set by its first quantifier), so a non-greedy quantifier can
 * change the extent: such patterns are refused where the extent matters (`forReplace`).
 */
export function compilePosixRegex(pattern: string, mode: RegexMode, forReplace = false): RegExp {
  const key = `${Number(mode.caseInsensitive)}${Number(mode.newlineExcludedFromDot)}${Number(mode.newlineAnchors)}${Number(mode.literal)}${Number(forReplace)}${pattern}`
  const cached = REGEX_CACHE.get(key)
  if (cached !== undefined) {
    cached.lastIndex = 0
    return cached
  }
  const { source, hasLazyQuantifier } = translatePosixRegex(pattern, mode)
  let regex: RegExp
  try {
    regex = new RegExp(source, forReplace ? 'gu' : 'u')
  } catch (error: unknown) {
    throw invalidRegularExpression(error instanceof Error ? error.message : String(error))
  }
  if (forReplace && hasLazyQuantifier) throw featureNotSupported('non-greedy quantifiers in regexp_replace patterns')
  if (REGEX_CACHE.size >= REGEX_CACHE_ENTRIES_MAX) REGEX_CACHE.clear()
  REGEX_CACHE.set(key, regex)
  return regex
}

/**
 * A LIKE/ILIKE pattern as an anchored RegExp: '%' any run, '_' one character, `escape` (default backslash; '' for
 * none) quotes the next character. ILIKE folds ASCII letters only, as PostgreSQL's lower() under the C collation.
 */
export function likeToRegExp(pattern: string, escape: string | null = '\\', caseInsensitive = false): RegExp {
  const escapeChars = escape === null ? [] : Array.from(escape)
  if (escapeChars.length > 1) throw invalidEscapeCharacter('invalid escape string')
  const escapeChar = escapeChars[0]
  const chars = Array.from(pattern)
  let source = ''
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? ''
    if (char === escapeChar) {
      const next = chars[++i]
      if (next === undefined) throw invalidEscapeSequence('LIKE pattern must not end with escape character')
      source += literalChar(next.codePointAt(0) ?? 0, caseInsensitive)
    } else if (char === '%') {
      source += '[^]*'
    } else if (char === '_') {
      source += '[^]'
    } else {
      source += literalChar(char.codePointAt(0) ?? 0, caseInsensitive)
    }
  }
  return new RegExp(`^${source}$`, 'u')
}
