// src/common/text-order: the one order of text values — code point order, which is UTF-8 byte order, i.e. the C
// collation nodedb's catalog reports (PostgreSQL's C and C.UTF-8 order the same way). JavaScript's own string
// comparison (`<`, Array.prototype.sort) orders UTF-16 code units, which differs exactly where a character above
// U+FFFF (stored as a surrogate pair, U+D800–DFFF) meets one in U+E000–U+FFFF: '😀' < '\uFFFD' in JavaScript, after it
// in PostgreSQL. Every comparison that orders text — WHERE, ORDER BY, min/max, merges, the cores' sorts and
// dictionaries' ranks — goes through compareCodePoints, so the engine and the control side agree with each other
// and with PostgreSQL.

/** Negative, zero or positive as x < y, x = y, x > y in code point order. */
export function compareCodePoints(x: string, y: string): number {
  if (x === y) return 0
  const length = x.length < y.length ? x.length : y.length
  let i = 0
  while (i < length && x.charCodeAt(i) === y.charCodeAt(i)) i++
  if (i === length) return x.length - y.length
  const cx = x.charCodeAt(i)
  const cy = y.charCodeAt(i)
  if (cx < 0xd800 || cy < 0xd800) return cx - cy
  // Both at or above U+D800: a surrogate (half of a code point ≥ U+10000) outranks every unit in U+E000–U+FFFF.
  return (cx < 0xe000 ? cx + 0x2000 : cx - 0x800) - (cy < 0xe000 ? cy + 0x2000 : cy - 0x800)
}
