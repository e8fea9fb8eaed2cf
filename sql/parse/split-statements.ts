// sql/parse/split-statements: cuts a Query string into statement slices at top-level semicolons, skipping quotes,
// dollar quotes and comments. It knows no grammar; slices that hold only comments or blanks are dropped.

export interface StatementSlice {
  readonly text: string
  /** 0-based offset of the slice in the whole text. */
  readonly offset: number
}

/** Index just past a quoted run starting at `start` (text[start] is the quote); the end when unterminated. */
function skipQuoted(text: string, start: number, quote: string): number {
  let i = start + 1
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) { i += 2; continue }
      return i + 1
    }
    i += 1
  }
  return text.length
}

function skipDollarQuoted(text: string, start: number): number {
  const match = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(start))
  if (match === null) return start + 1
  const tag = match[0]
  const end = text.indexOf(tag, start + tag.length)
  return end < 0 ? text.length : end + tag.length
}

/** Index just past the token or comment at i (one character for anything plain). */
function skipToken(text: string, i: number): number {
  const c = text[i]
  if (c === "'" || c === '"') return skipQuoted(text, i, c)
  if (c === '$' && !/[0-9]/.test(text[i + 1] ?? '')) return skipDollarQuoted(text, i)
  if (c === '-' && text[i + 1] === '-') {
    const end = text.indexOf('\n', i)
    return end < 0 ? text.length : end + 1
  }
  if (c === '/' && text[i + 1] === '*') {
    const end = text.indexOf('*/', i + 2)
    return end < 0 ? text.length : end + 2
  }
  return i + 1
}

/** True when the text has nothing but blanks and comments. */
export function isBlank(text: string): boolean {
  let i = 0
  while (i < text.length) {
    const c = text[i] ?? ''
    if (/\s/.test(c)) { i += 1; continue }
    const next = skipToken(text, i)
    const isComment = (c === '-' && text[i + 1] === '-') || (c === '/' && text[i + 1] === '*')
    if (!isComment) return false
    i = next
  }
  return true
}

export function splitStatements(text: string): ReadonlyArray<StatementSlice> {
  const slices: StatementSlice[] = []
  let start = 0
  let i = 0
  while (i <= text.length) {
    if (i === text.length || text[i] === ';') {
      const piece = text.slice(start, i)
      if (!isBlank(piece)) slices.push({ text: piece, offset: start })
      start = i + 1
      i += 1
      continue
    }
    i = skipToken(text, i)
  }
  return slices
}

/** 0-based offset of the first whole-word, case-insensitive occurrence of `word` outside quotes and comments. */
export function locateWord(text: string, word: string, from = 0): number | undefined {
  const lower = word.toLowerCase()
  let i = from
  while (i < text.length) {
    const c = text[i] ?? ''
    if (/[A-Za-z_]/.test(c)) {
      let j = i
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j] ?? '')) j += 1
      if (text.slice(i, j).toLowerCase() === lower) return i
      i = j
      continue
    }
    if (c === '"') {
      const end = skipQuoted(text, i, '"')
      if (text.slice(i + 1, end - 1) === word) return i
      i = end
      continue
    }
    i = skipToken(text, i)
  }
  return undefined
}
