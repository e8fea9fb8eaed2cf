// sql/functions/to-number: to_number(text, text) as PostgreSQL's numeric_to_number does it — the number template
// parsed as parse_format/NUMDesc_prepare parse it (keywords matched as index_seq_search matches them, "quoted" text,
// 42601 for templates PostgreSQL rejects), then the input read as NUM_processor reads it in its from-char direction
// (NUM_numpart_from_char for digits, the point and the signs; one input character skipped per literal template
// character; G and , skipped only when present), over UTF-8 bytes exactly as the C code steps through them, and the
// digits read given to numeric_in with the typmod (pre + V digits + post read, post read) PostgreSQL uses, then
// multiplied by 10^-n for V. The locale is C, as the rest of nodedb's formatting: '.', ',', '-', '+'.
import { DbError, notSupported } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import { applyNumericTypmod } from '../expr/typmod.js'
import { finite, formatNumeric, mulDecimal, parseNumeric } from './numeric-ops.js'
import { powerDecimal } from './numeric-transcendental.js'

/** The NUM_keywords of formatting.c in their order: a template byte starts a search at its first keyword. */
const KEYWORDS: ReadonlyArray<readonly [string, string]> = [
  [',', 'COMMA'], ['.', 'DEC'], ['0', '0'], ['9', '9'], ['B', 'B'], ['C', 'C'], ['D', 'D'], ['EEEE', 'E'], ['FM', 'FM'],
  ['G', 'G'], ['L', 'L'], ['MI', 'MI'], ['PL', 'PL'], ['PR', 'PR'], ['RN', 'RN'], ['SG', 'SG'], ['SP', 'SP'], ['S', 'S'],
  ['TH', 'TH'], ['V', 'V'], ['b', 'B'], ['c', 'C'], ['d', 'D'], ['eeee', 'E'], ['fm', 'FM'], ['g', 'G'], ['l', 'L'],
  ['mi', 'MI'], ['pl', 'PL'], ['pr', 'PR'], ['rn', 'RN'], ['sg', 'SG'], ['sp', 'SP'], ['s', 'S'], ['th', 'TH'], ['v', 'V'],
]

type Node = { readonly key: string } | { readonly key: null }

/** NUMDesc: what the template says about the number. */
interface NumDesc {
  pre: number; post: number; multi: number
  decimal: boolean; zero: boolean; blank: boolean; fillMode: boolean; localeSign: 'none' | 'pre' | 'post'
  minus: boolean; plus: boolean; bracket: boolean; roman: boolean; eeee: boolean; multiplied: boolean
}

const syntaxError = (message: string, detail?: string): DbError =>
  new DbError({ severity: 'ERROR', code: SqlState.syntaxError, message, ...(detail === undefined ? {} : { detail }) })

/** pg_utf_mblen: the byte length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte). */
function mbLength(byte: number): number {
  if (byte < 0x80) return 1
  if ((byte & 0xe0) === 0xc0) return 2
  if ((byte & 0xf0) === 0xe0) return 3
  if ((byte & 0xf8) === 0xf0) return 4
  return 1
}

/** index_seq_search over NUM_keywords: the first keyword, from the byte's first entry on, that the text starts with. */
function keywordAt(format: Buffer, at: number): readonly [string, string] | null {
  const byte = format[at] ?? 0
  if (byte <= 0x20 || byte >= 0x7e) return null
  const first = String.fromCharCode(byte)
  const start = KEYWORDS.findIndex(([name]) => name[0] === first)
  if (start < 0) return null
  for (let i = start; i < KEYWORDS.length && KEYWORDS[i]![0][0] === first; i++) {
    const keyword = KEYWORDS[i]!
    if (format.subarray(at, at + keyword[0].length).toString('latin1') === keyword[0]) return keyword
  }
  return null
}

/** parse_format for the NUM flavour: keyword nodes (each prepared into `desc`) and one node per literal character. */
function parseTemplate(format: Buffer, desc: NumDesc): Node[] {
  const nodes: Node[] = []
  let at = 0
  while (at < format.length) {
    const keyword = keywordAt(format, at)
    if (keyword !== null) {
      prepare(desc, keyword[1])
      nodes.push({ key: keyword[1] })
      at += keyword[0].length
    } else if (format[at] === 0x22) {
      at++
      while (at < format.length) {
        if (format[at] === 0x22) { at++; break }
        if (format[at] === 0x5c && at + 1 < format.length) at++
        at += mbLength(format[at]!)
        nodes.push({ key: null })
      }
    } else {
      if (format[at] === 0x5c && format[at + 1] === 0x22) at++
      at += mbLength(format[at]!)
      nodes.push({ key: null })
    }
  }
  return nodes
}

/** NUMDesc_prepare: one keyword of the template, with the 42601s PostgreSQL raises for templates it rejects. */
function prepare(desc: NumDesc, key: string): void {
  if (desc.eeee && key !== 'E') throw syntaxError('"EEEE" must be the last pattern used')
  switch (key) {
    case '9': case '0': return prepareDigit(desc, key === '0')
    case 'B':
      if (desc.pre === 0 && desc.post === 0 && !desc.zero) desc.blank = true
      return
    case 'D': case 'DEC':
      if (desc.decimal) throw syntaxError('multiple decimal points')
      if (desc.multiplied) throw syntaxError('cannot use "V" and decimal point together')
      desc.decimal = true
      return
    case 'FM': desc.fillMode = true; return
    case 'S':
      if (desc.localeSign !== 'none') throw syntaxError('cannot use "S" twice')
      if (desc.plus || desc.minus || desc.bracket) throw syntaxError('cannot use "S" and "PL"/"MI"/"SG"/"PR" together')
      desc.localeSign = desc.decimal ? 'post' : 'pre'
      return
    case 'MI': case 'PL': case 'SG':
      if (desc.localeSign !== 'none') throw syntaxError(`cannot use "S" and "${key}" together`)
      if (key !== 'PL') desc.minus = true
      if (key !== 'MI') desc.plus = true
      return
    case 'PR':
      if (desc.localeSign !== 'none' || desc.plus || desc.minus) throw syntaxError('cannot use "PR" and "S"/"PL"/"MI"/"SG" together')
      desc.bracket = true
      return
    case 'RN': desc.roman = true; return
    case 'V':
      if (desc.decimal) throw syntaxError('cannot use "V" and decimal point together')
      desc.multiplied = true
      return
    case 'E':
      if (desc.eeee) throw syntaxError('cannot use "EEEE" twice')
      if (desc.blank || desc.fillMode || desc.localeSign !== 'none' || desc.bracket || desc.minus || desc.plus || desc.roman || desc.multiplied) {
        throw syntaxError('"EEEE" is incompatible with other formats', '"EEEE" may only be used together with digit and decimal point patterns.')
      }
      desc.eeee = true
      return
    default: return
  }
}

function prepareDigit(desc: NumDesc, isZero: boolean): void {
  if (desc.bracket) throw syntaxError(`"${isZero ? '0' : '9'}" must be ahead of "PR"`)
  if (desc.multiplied && !isZero) { desc.multi++; return }
  if (isZero && !desc.decimal) desc.zero = true
  if (desc.decimal) desc.post++
  else desc.pre++
}

const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39

/** NUM_processor reading: the sign slot and the digits and point it collected, and how many fraction digits it read. */
class NumberReader {
  private at = 0
  private sign = ' '
  private digits = ''
  private readPre = 0
  private readPost = 0
  private readDecimal = false

  constructor(private readonly input: Buffer, private readonly desc: NumDesc) {}

  private get atEnd(): boolean { return this.at >= this.input.length }
  private byteIs(char: string, at = this.at): boolean { return at < this.input.length && this.input[at] === char.charCodeAt(0) }

  read(nodes: ReadonlyArray<Node>): { text: string; post: number } {
    for (const node of nodes) {
      if (this.atEnd) break
      if (node.key === null) { this.at += mbLength(this.input[this.at]!); continue }
      if (this.step(node.key)) this.at++
    }
    const text = this.sign + (this.digits.endsWith('.') ? this.digits.slice(0, -1) : this.digits)
    return { text, post: this.readPost }
  }

  /** One keyword; true when it ends as PostgreSQL's `break` (the input advances one byte), false as its `continue`. */
  private step(key: string): boolean {
    switch (key) {
      case '9': case '0': case 'DEC': case 'D': this.numberPart(key === '9' || key === '0'); return true
      case 'COMMA': case 'G': return !this.desc.fillMode && this.byteIs(',')
      case 'L': this.skipNonData(1); return false
      case 'TH': if (!this.desc.decimal) this.skipNonData(2); return false
      case 'MI': case 'PL': case 'SG': {
        const taken = (key !== 'PL' && this.byteIs('-')) || (key !== 'MI' && this.byteIs('+'))
        if (taken) this.sign = String.fromCharCode(this.input[this.at]!)
        else this.skipNonData(1)
        return taken
      }
      default: return false
    }
  }

  /** NUM_eat_non_data_chars: skip up to n characters, stopping at one that could be part of the number. */
  private skipNonData(n: number): void {
    for (let i = 0; i < n && !this.atEnd; i++) {
      if ('0123456789.,+-'.includes(String.fromCharCode(this.input[this.at]!))) break
      this.at += mbLength(this.input[this.at]!)
    }
  }

  /** NUM_numpart_from_char: a leading sign, then one digit or the point, then a sign right behind the last digit. */
  private numberPart(isDigitPosition: boolean): void {
    if (this.atEnd) return
    if (this.byteIs(' ')) this.at++
    if (this.atEnd) return
    if (this.sign === ' ' && isDigitPosition && this.readPre + this.readPost === 0) this.leadingSign()
    if (this.atEnd) return
    let isRead = false
    if (isDigit(this.input[this.at])) {
      if (this.readDecimal && this.readPost === this.desc.post) return
      this.digits += String.fromCharCode(this.input[this.at]!)
      if (this.readDecimal) this.readPost++
      else this.readPre++
      isRead = true
    } else if (this.desc.decimal && !this.readDecimal && this.byteIs('.')) {
      this.digits += '.'
      this.readDecimal = true
      isRead = true
    }
    if (this.atEnd || this.sign !== ' ' || this.readPre + this.readPost === 0) return
    this.trailingSign(isRead)
  }

  private leadingSign(): void {
    if (this.desc.localeSign === 'pre') {
      if (this.byteIs('-') || this.byteIs('+')) this.sign = String.fromCharCode(this.input[this.at++]!)
    } else if (this.byteIs('-') || (this.desc.bracket && this.byteIs('<'))) {
      this.sign = '-'
      this.at++
    } else if (this.byteIs('+')) {
      this.sign = '+'
      this.at++
    }
  }

  private trailingSign(isRead: boolean): void {
    if (this.desc.localeSign !== 'none' && isRead && this.at + 1 < this.input.length && !isDigit(this.input[this.at + 1])) {
      if (this.byteIs('-', this.at + 1) || this.byteIs('+', this.at + 1)) {
        this.at++
        this.sign = String.fromCharCode(this.input[this.at]!)
      }
    } else if (!isRead && this.desc.localeSign === 'none' && (this.desc.plus || this.desc.minus)) {
      if (this.byteIs('-') || this.byteIs('+')) this.sign = String.fromCharCode(this.input[this.at]!)
    }
  }
}

/** to_number(text, text): NULL for an empty template, as numeric_to_number. */
export function toNumber(value: string, format: string): string | null {
  if (format === '') return null
  const desc: NumDesc = {
    pre: 0, post: 0, multi: 0, decimal: false, zero: false, blank: false, fillMode: false, localeSign: 'none',
    minus: false, plus: false, bracket: false, roman: false, eeee: false, multiplied: false,
  }
  const nodes = parseTemplate(Buffer.from(format, 'utf8'), desc)
  if (desc.eeee) throw notSupported('"EEEE" not supported for input')
  if (desc.roman) throw notSupported('"RN" not supported for input')
  const { text, post } = new NumberReader(Buffer.from(value, 'utf8'), desc).read(nodes)
  const precision = desc.pre + desc.multi + post
  const result = applyNumericTypmod(text, ((precision << 16) | post) + 4)
  if (!desc.multiplied) return result
  return formatNumeric(mulDecimal(parseNumeric(result), powerDecimal(finite(10n, 0), finite(BigInt(-desc.multi), 0))))
}
