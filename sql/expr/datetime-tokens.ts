// sql/expr/datetime-tokens: PostgreSQL 15's ParseDateTime (datetime.c) — date/time input text split into typed
// fields (number, date, time, string, zone offset, special) before DecodeDateTime gives them meaning — and the
// keyword table (datetktbl) the decoder looks words up in. Pure functions over text.

export type FieldType = 'number' | 'date' | 'time' | 'string' | 'tz' | 'special'

/** One field: `text` lower-cased as PostgreSQL works on it, `raw` as written (zone names keep their case). */
export interface Field {
  readonly type: FieldType
  readonly text: string
  readonly raw: string
}

/** PostgreSQL's MAXDATELEN and MAXDATEFIELDS: longer input or more fields is a syntax error. */
const MAX_DATE_LEN = 128
const MAX_DATE_FIELDS = 25

export type Keyword =
  | { readonly kind: 'month' | 'dow' | 'ampm' | 'adbc'; readonly value: number }
  | { readonly kind: 'special'; readonly value: 'epoch' | 'infinity' | '-infinity' | 'now' | 'today' | 'tomorrow' | 'yesterday' }
  | { readonly kind: 'zulu' | 'julian' | 'isotime' | 'ignore' | 'dst' }

const MONTH_WORDS: ReadonlyArray<ReadonlyArray<string>> = [
  ['jan', 'january'], ['feb', 'february'], ['mar', 'march'], ['apr', 'april'], ['may'], ['jun', 'june'], ['jul', 'july'],
  ['aug', 'august'], ['sep', 'sept', 'september'], ['oct', 'october'], ['nov', 'november'], ['dec', 'december'],
]
const DOW_WORDS: ReadonlyArray<ReadonlyArray<string>> = [
  ['sun', 'sunday'], ['mon', 'monday'], ['tue', 'tues', 'tuesday'], ['wed', 'wednesday'],
  ['thu', 'thur', 'thurs', 'thursday'], ['fri', 'friday'], ['sat', 'saturday'],
]

/** datetktbl as PostgreSQL 15 ships it (time zone abbreviations live in the zone resolver instead). */
const KEYWORDS: ReadonlyMap<string, Keyword> = new Map<string, Keyword>([
  ...MONTH_WORDS.flatMap((words, i) => words.map((w): [string, Keyword] => [w, { kind: 'month', value: i + 1 }])),
  ...DOW_WORDS.flatMap((words, i) => words.map((w): [string, Keyword] => [w, { kind: 'dow', value: i }])),
  ['am', { kind: 'ampm', value: 0 }], ['pm', { kind: 'ampm', value: 1 }],
  ['ad', { kind: 'adbc', value: 0 }], ['bc', { kind: 'adbc', value: 1 }],
  ['allballs', { kind: 'zulu' }], ['j', { kind: 'julian' }], ['jd', { kind: 'julian' }], ['julian', { kind: 'julian' }],
  ['t', { kind: 'isotime' }], ['on', { kind: 'ignore' }], ['dst', { kind: 'dst' }],
  ...(['epoch', 'infinity', '-infinity', 'now', 'today', 'tomorrow', 'yesterday'] as const)
    .map((w): [string, Keyword] => [w, { kind: 'special', value: w }]),
])

export function keyword(word: string): Keyword | undefined {
  return KEYWORDS.get(word)
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[a-z]$/i.test(c)
const isAlnum = (c: string | undefined): boolean => isDigit(c) || isAlpha(c)
const isSpace = (c: string | undefined): boolean => c !== undefined && /^\s$/.test(c)
const isPunct = (c: string | undefined): boolean => c !== undefined && /^[!-/:-@[-`{-~]$/.test(c)

/** A cursor over the input; `take` appends characters while a predicate holds. */
class Scanner {
  pos = 0
  constructor(readonly s: string) {}
  get c(): string | undefined { return this.s[this.pos] }
  take(pred: (c: string | undefined) => boolean): void {
    while (this.pos < this.s.length && pred(this.c)) this.pos++
  }
}

/** Digits first: a time (hh:mm…), a date with '-', '/' or '.' (a textual month allowed), or a bare number. */
function scanNumeric(sc: Scanner): FieldType {
  sc.take(isDigit)
  if (sc.c === ':') {
    sc.take((c) => isDigit(c) || c === ':' || c === '.')
    return 'time'
  }
  if (sc.c !== '-' && sc.c !== '/' && sc.c !== '.') return 'number'
  const delim = sc.c
  sc.pos++
  if (!isDigit(sc.c)) {
    sc.take((c) => isAlnum(c) || c === delim)
    return 'date'
  }
  sc.take(isDigit)
  if (sc.c !== delim) return delim === '.' ? 'number' : 'date'
  sc.take((c) => isDigit(c) || c === delim)
  return 'date'
}

/** Letters first: a word, or a date with a textual month / a zone name with punctuation ('feb-01-2024', 'europe/berlin'). */
function scanAlpha(sc: Scanner): FieldType {
  const start = sc.pos
  sc.take(isAlpha)
  let isDate = sc.c === '-' || sc.c === '/' || sc.c === '.'
  if (!isDate && (sc.c === '+' || isDigit(sc.c))) isDate = keyword(sc.s.slice(start, sc.pos).toLowerCase()) === undefined
  if (!isDate) return 'string'
  sc.pos++
  sc.take((c) => c === '+' || c === '-' || c === '/' || c === '_' || c === '.' || c === ':' || isAlnum(c))
  return 'date'
}

/** A sign: a numeric zone offset ('-08', '+05:30') or a special ('-infinity'). */
function scanSigned(sc: Scanner): { type: FieldType; skipped: number } | null {
  sc.pos++
  const before = sc.pos
  sc.take(isSpace)
  const skipped = sc.pos - before
  if (isDigit(sc.c)) {
    sc.take((c) => isDigit(c) || c === ':' || c === '.' || c === '-')
    return { type: 'tz', skipped }
  }
  if (isAlpha(sc.c)) {
    sc.take(isAlpha)
    return { type: 'special', skipped }
  }
  return null
}

/** ParseDateTime: the fields of `text`, or null where PostgreSQL reports a syntax error. */
export function parseDateTimeFields(text: string): Field[] | null {
  if (text.length >= MAX_DATE_LEN) return null
  const sc = new Scanner(text)
  const fields: Field[] = []
  while (sc.pos < text.length) {
    const c = sc.c
    if (isSpace(c)) { sc.pos++; continue }
    const start = sc.pos
    let type: FieldType
    let raw: string
    if (isDigit(c)) type = scanNumeric(sc)
    else if (c === '.') { sc.pos++; sc.take(isDigit); type = 'number' }
    else if (isAlpha(c)) type = scanAlpha(sc)
    else if (c === '+' || c === '-') {
      const signed = scanSigned(sc)
      if (signed === null) return null
      type = signed.type
      raw = text[start]! + text.slice(start + 1 + signed.skipped, sc.pos)
      fields.push({ type, text: raw.toLowerCase(), raw })
      if (fields.length > MAX_DATE_FIELDS) return null
      continue
    } else if (isPunct(c)) { sc.pos++; continue }
    else return null
    raw = text.slice(start, sc.pos)
    fields.push({ type, text: raw.toLowerCase(), raw })
    if (fields.length > MAX_DATE_FIELDS) return null
  }
  return fields
}
