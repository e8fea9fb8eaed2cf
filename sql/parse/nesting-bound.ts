// sql/parse/nesting-bound: an upper bound on how deeply a Query text can nest, found by one pass over its characters
// before libpg-query sees it. libpg-query's WebAssembly recurses over the parse tree and overflows the stack on deep
// trees (~3,000 nested subqueries, ~10,000 chained `+`), after which its module state is corrupt for every later
// parse, so too-deep text must be refused before it gets there. Knows no grammar: only quotes, comments and brackets.

/**
 * The bound: the sum, over the open brackets, of the tokens since the last comma, AND or OR at that level (lists and
 * AND/OR chains are flat in PostgreSQL's tree, so they reset it), plus the bracket depth. A tree level needs at
 * least one token or bracket, so the depth of the tree is never larger.
 */
export function nestingBound(text: string): number {
  const spans: number[] = [0]
  let total = 0
  let max = 0
  let i = 0
  while (i < text.length) {
    const c = text.charCodeAt(i)
    const end = skipQuotedOrComment(text, i)
    if (end > i) {
      i = end
      if (c === 0x27 || c === 0x22 || c === 0x24) total = bump(spans, total)
    } else if (c === 0x28 || c === 0x5b) {
      spans.push(0)
      total += 1
      i += 1
    } else if (c === 0x29 || c === 0x5d) {
      total -= (spans.pop() ?? 0) + 1
      if (spans.length === 0) { spans.push(0); total = 0 }
      i += 1
    } else if (c === 0x2c || c === 0x3b) {
      total -= spans[spans.length - 1] ?? 0
      spans[spans.length - 1] = 0
      if (c === 0x3b) { spans.length = 1; spans[0] = 0; total = 0 }
      i += 1
    } else if (c <= 0x20) {
      i += 1
    } else {
      const wordEnd = tokenEnd(text, i)
      if (isAndOr(text, i, wordEnd - i)) {
        total -= spans[spans.length - 1] ?? 0
        spans[spans.length - 1] = 0
      } else {
        total = bump(spans, total)
      }
      i = wordEnd
    }
    if (total > max) max = total
  }
  return max
}

/** The word at i is AND or OR, in any case (char codes: no slice on a path that sees every token). */
function isAndOr(text: string, i: number, length: number): boolean {
  const a = text.charCodeAt(i) | 0x20
  const b = text.charCodeAt(i + 1) | 0x20
  if (length === 2) return a === 0x6f && b === 0x72
  return length === 3 && a === 0x61 && b === 0x6e && (text.charCodeAt(i + 2) | 0x20) === 0x64
}

function bump(spans: number[], total: number): number {
  spans[spans.length - 1] = (spans[spans.length - 1] ?? 0) + 1
  return total + 1
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x24 || c >= 0x80
}

/** End of the word or operator run at i (one token either way). */
function tokenEnd(text: string, i: number): number {
  const isWord = isWordChar(text.charCodeAt(i))
  let j = i + 1
  while (j < text.length) {
    const c = text.charCodeAt(j)
    if (c <= 0x20 || c === 0x28 || c === 0x29 || c === 0x5b || c === 0x5d || c === 0x2c || c === 0x3b || c === 0x27 || c === 0x22) break
    if (isWordChar(c) !== isWord) break
    j++
  }
  return j
}

/** Index past the string, quoted identifier, dollar-quoted string or comment at i; i itself when there is none. */
function skipQuotedOrComment(text: string, i: number): number {
  const c = text.charCodeAt(i)
  const next = text.charCodeAt(i + 1)
  if (c === 0x27) return skipQuote(text, i, 0x27, isEscapeString(text, i))
  if (c === 0x22) return skipQuote(text, i, 0x22, false)
  if (c === 0x2d && next === 0x2d) {
    const end = text.indexOf('\n', i)
    return end < 0 ? text.length : end + 1
  }
  if (c === 0x2f && next === 0x2a) return skipBlockComment(text, i)
  if (c === 0x24) {
    const tag = /^\$(?:[A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$/.exec(text.slice(i, i + 64))
    if (tag === null || (i > 0 && isWordChar(text.charCodeAt(i - 1)))) return i
    const end = text.indexOf(tag[0], i + tag[0].length)
    return end < 0 ? text.length : end + tag[0].length
  }
  return i
}

/** E'…' (backslash escapes), as opposed to a standard string where a backslash is a plain character. */
function isEscapeString(text: string, quoteAt: number): boolean {
  const prefix = text.charCodeAt(quoteAt - 1)
  return (prefix === 0x45 || prefix === 0x65) && !isWordChar(text.charCodeAt(quoteAt - 2))
}

function skipQuote(text: string, start: number, quote: number, hasEscapes: boolean): number {
  let i = start + 1
  while (i < text.length) {
    const c = text.charCodeAt(i)
    if (hasEscapes && c === 0x5c) { i += 2; continue }
    if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) { i += 2; continue }
      return i + 1
    }
    i++
  }
  return text.length
}

/** PostgreSQL's block comments nest. */
function skipBlockComment(text: string, start: number): number {
  let depth = 0
  let i = start
  while (i < text.length) {
    if (text.charCodeAt(i) === 0x2f && text.charCodeAt(i + 1) === 0x2a) { depth++; i += 2; continue }
    if (text.charCodeAt(i) === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
      depth--
      i += 2
      if (depth === 0) return i
      continue
    }
    i++
  }
  return text.length
}
