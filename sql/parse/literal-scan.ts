// sql/parse/literal-scan: finds the literal constants of a Query text as PostgreSQL's lexer splits it — plain
// 'strings' and unsigned numbers — and the text's shape with them taken out, so two texts that differ only in
// their literals share a shape (sql/parse/literal-template.ts reuses one parse for both). Everything the lexer reads
// differently is skipped whole (comments, "identifiers", $n) or makes the text unscannable (null): E'…', B'…',
// X'…', N'…', U&'…' and dollar quotes, a string continued by another (`'a' 'b'`), a number run into a word (`1abc`,
// `1..2`), a NUL or a lone surrogate. Null only means "parse it the ordinary way". A number right after a `-` is
// no literal here: the grammar folds a unary minus into the constant unless it is zero (`-0` is plain 0), so its
// value decides the tree's form.

export type LiteralKind = 'string' | 'integer' | 'float'

export interface LiteralToken {
  readonly start: number
  readonly end: number
  /**
   * PostgreSQL's token class: a string; an integer (digits only, fits int4: the lexer's ICONST); a float (FCONST:
   * a point, an exponent, or digits past int4).
   */
  readonly kind: LiteralKind
}

export interface ScannedText {
  readonly literals: ReadonlyArray<LiteralToken>
  /** The text with each literal replaced by a marker naming its class and length (texts with equal shapes share it). */
  readonly shape: string
}

const INT4_MAX = 2_147_483_647
const NUMBER = /(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y
const NOT_FOUND = -1

function isIdentStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x24
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39
}

/** The lexer's class of an unsigned number token. */
export function numberKind(token: string): LiteralKind {
  if (!/^[0-9]+$/.test(token)) return 'float'
  return Number(token) <= INT4_MAX ? 'integer' : 'float'
}

/** Index past the comment at i, i when none starts there, NOT_FOUND when it never ends. */
function skipComment(text: string, i: number): number {
  const c = text.charCodeAt(i)
  const next = text.charCodeAt(i + 1)
  if (c === 0x2d && next === 0x2d) {
    let j = i + 2
    while (j < text.length && text.charCodeAt(j) !== 0x0a && text.charCodeAt(j) !== 0x0d) j++
    return j
  }
  if (c !== 0x2f || next !== 0x2a) return i
  let depth = 0
  let j = i
  while (j < text.length) {
    if (text.charCodeAt(j) === 0x2f && text.charCodeAt(j + 1) === 0x2a) { depth++; j += 2; continue }
    if (text.charCodeAt(j) === 0x2a && text.charCodeAt(j + 1) === 0x2f) {
      j += 2
      if (--depth === 0) return j
      continue
    }
    j++
  }
  return NOT_FOUND
}

/** Index past the quoted run (doubled quotes inside) starting at i, NOT_FOUND when unterminated. */
function skipQuoted(text: string, i: number, quote: number): number {
  let j = i + 1
  while (j < text.length) {
    if (text.charCodeAt(j) === quote) {
      if (text.charCodeAt(j + 1) !== quote) return j + 1
      j += 2
      continue
    }
    j++
  }
  return NOT_FOUND
}

/** Index of the next token after i (whitespace and comments skipped), NOT_FOUND for an unterminated comment. */
function nextTokenAt(text: string, i: number): number {
  let j = i
  while (j < text.length) {
    const c = text.charCodeAt(j)
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) { j++; continue }
    const past = skipComment(text, j)
    if (past === NOT_FOUND) return NOT_FOUND
    if (past === j) return j
    j = past
  }
  return j
}

/** True when a literal's characters are ones libpg-query receives unchanged (no NUL, no lone surrogate). */
function isPlainContent(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 0) return false
    if (c >= 0xd800 && c <= 0xdfff) {
      const isPair = c <= 0xdbff && i + 1 < end && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00
      if (!isPair) return false
      i++
    }
  }
  return true
}

/** What literal the token scanToken last read is (null: none). A variable, not a returned pair: it runs per token. */
let scannedLiteral: LiteralKind | null = null

/** E'…', B'…', X'…' and N'…': a one-letter word right before the quote (its code, as scanLiterals passes it). */
function isStringPrefix(c: number): boolean {
  const lower = c | 0x20
  return lower === 0x65 || lower === 0x62 || lower === 0x78 || lower === 0x6e
}

/**
 * Where the token at i ends (NOT_FOUND: the text is not scannable), with what literal it is in scannedLiteral.
 * `letterBefore` is the code of a one-letter word that ends right at i, else -1.
 */
function scanToken(text: string, i: number, letterBefore: number): number {
  scannedLiteral = null
  const c = text.charCodeAt(i)
  if (c === 0x27) {
    // E'…', B'…', X'…', N'…' and U&'…' read their contents differently.
    const isPrefixed = isStringPrefix(letterBefore) || (text.charCodeAt(i - 1) === 0x26 && (text.charCodeAt(i - 2) | 0x20) === 0x75)
    const end = skipQuoted(text, i, 0x27)
    if (isPrefixed || end === NOT_FOUND || !isPlainContent(text, i, end)) return NOT_FOUND
    const next = nextTokenAt(text, end)
    // Strings separated by whitespace with a newline are one string (and UESCAPE follows U& only): refused.
    if (next === NOT_FOUND || text.charCodeAt(next) === 0x27) return NOT_FOUND
    scannedLiteral = 'string'
    return end
  }
  if (c === 0x22) return skipQuoted(text, i, 0x22)
  if (c === 0x24) {
    if (!isDigit(text.charCodeAt(i + 1))) return NOT_FOUND // a dollar quote
    let j = i + 1
    while (isDigit(text.charCodeAt(j))) j++
    return j
  }
  if (isIdentStart(c)) {
    let j = i + 1
    while (j < text.length && isIdentChar(text.charCodeAt(j))) j++
    return j
  }
  if (isDigit(c) || (c === 0x2e && isDigit(text.charCodeAt(i + 1)))) {
    NUMBER.lastIndex = i
    const match = NUMBER.exec(text)
    const end = i + (match?.[0].length ?? 0)
    const after = text.charCodeAt(end)
    if (match === null || isIdentChar(after) || after === 0x2e) return NOT_FOUND
    scannedLiteral = numberKind(match[0])
    return end
  }
  return i + 1
}

/** The text's literals and shape, or null when some part of it is lexed in a way this scanner does not follow. */
export function scanLiterals(text: string): ScannedText | null {
  const literals: LiteralToken[] = []
  let shape = ''
  let copiedTo = 0
  // A one-letter word's code when the token before was one (a string prefix if the quote follows at once), else -1.
  let letterBefore = -1
  let isAfterMinus = false
  let i = 0
  while (i < text.length) {
    const at = nextTokenAt(text, i)
    if (at === NOT_FOUND) return null
    if (at >= text.length) break
    const end = scanToken(text, at, at === i ? letterBefore : -1)
    if (end === NOT_FOUND) return null
    const literal = scannedLiteral
    if (literal !== null && !(literal !== 'string' && isAfterMinus)) {
      literals.push({ start: at, end, kind: literal })
      shape += `${text.slice(copiedTo, at)}\u0000${literal[0]}${end - at}\u0000`
      copiedTo = end
    }
    letterBefore = end === at + 1 && isIdentStart(text.charCodeAt(at)) ? text.charCodeAt(at) : -1
    isAfterMinus = text.charCodeAt(at) === 0x2d && end === at + 1
    i = end
  }
  return { literals, shape: shape + text.slice(copiedTo) }
}
