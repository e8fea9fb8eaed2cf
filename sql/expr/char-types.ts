// sql/expr/char-types: PostgreSQL's length-limited character types. varchar(n) and character(n) take at most n
// characters: an explicit cast truncates, an assignment (INSERT, COPY, ILP) raises 22001 unless only spaces are cut
// (varchar / bpchar's typmod input functions). character(n) values are kept blank-padded to n, as PostgreSQL stores
// them; their trailing spaces do not count in comparisons, grouping, length() or casts to text (bpchar semantics).
import { stringDataRightTruncation } from '../../src/common/errors.js'
import type { SqlType } from '../bind/types.js'

/** Characters (code points) of `text`, as PostgreSQL counts them in UTF8. */
function charCount(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0xd800 || code > 0xdbff) count++
  }
  return count
}

/** The first `n` characters of `text` (never splitting a surrogate pair). */
function firstChars(text: string, n: number): string {
  return Array.from(text).slice(0, n).join('')
}

/** Whether `type` is varchar(n) or character(n): a type whose values this module must fit. */
export function hasCharLimit(type: SqlType): boolean {
  return (type.name === 'varchar' || type.name === 'bpchar') && type.typmod >= 4
}

/**
 * `text` fitted to varchar(n) / character(n): truncated to n characters (explicit casts; assignments only when the
 * cut part is all spaces, else 22001), then blank-padded to n for character(n). Other types pass unchanged.
 */
export function fitCharType(text: string, type: SqlType, isExplicit: boolean): string {
  if (!hasCharLimit(type)) return text
  const limit = type.typmod - 4
  const count = charCount(text)
  let fitted = text
  if (count > limit) {
    fitted = firstChars(text, limit)
    if (!isExplicit && text.slice(fitted.length).replace(/ +$/, '') !== '') {
      const name = type.name === 'varchar' ? 'character varying' : 'character'
      throw stringDataRightTruncation(`value too long for type ${name}(${limit})`)
    }
  }
  return type.name === 'bpchar' && count < limit ? fitted + ' '.repeat(limit - count) : fitted
}

/** A character(n) value without its trailing blanks: what comparisons, grouping and casts to text see. */
export function bpcharTrim(text: string): string {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 0x20) end--
  return end === text.length ? text : text.slice(0, end)
}
