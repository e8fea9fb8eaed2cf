// sql/exec/copy-options: COPY's option list → CopyOptions, checked as PostgreSQL 15's ProcessCopyOptions checks it
// (same SQLSTATEs and messages; test/integration/copy-options.test.ts compares them with a real PostgreSQL).
import { DbError, featureNotSupported, undefinedColumn, invalidColumnReference, invalidParameterValue, syntaxError } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { SqlCopyOption } from '../parse/ast.js'

export type CopyFormat = 'text' | 'csv' | 'binary'

/** Column lists of FORCE_* options: names, or every column (`*`, FORCE_QUOTE only). */
export type CopyColumnChoice = ReadonlyArray<string> | 'all'

export interface CopyOptions {
  readonly format: CopyFormat
  readonly delimiter: string
  readonly nullString: string
  /** HEADER: false, true (skip / write one line), or 'match' (COPY FROM checks the names). */
  readonly header: boolean | 'match'
  readonly quote: string
  readonly escape: string
  readonly forceQuote: CopyColumnChoice
  readonly forceNotNull: CopyColumnChoice
  readonly forceNull: CopyColumnChoice
}

const TRUE_WORDS = new Set(['true', 'on', '1', 'yes', 't', 'y'])
const FALSE_WORDS = new Set(['false', 'off', '0', 'no', 'f', 'n'])
const TEXT_DELIMITER_REFUSED = '\\.abcdefghijklmnopqrstuvwxyz0123456789'

function notSupported(message: string): DbError {
  return new DbError({ severity: 'ERROR', code: SqlState.featureNotSupported, message })
}

function textOf(option: SqlCopyOption): string {
  const value = option.value
  if (value.kind === 'text') return value.text
  if (value.kind === 'none') throw syntaxError(`${option.name} requires a parameter`, option.pos + 1)
  throw syntaxError(`${option.name} requires a parameter`, option.pos + 1)
}

/** defGetBoolean: no value is true; words and 0/1 as PostgreSQL's boolean parser reads them. */
function booleanOf(option: SqlCopyOption, allowMatch: boolean): boolean | 'match' {
  if (option.value.kind === 'none') return true
  const text = option.value.kind === 'text' ? option.value.text.toLowerCase() : ''
  if (TRUE_WORDS.has(text)) return true
  if (FALSE_WORDS.has(text)) return false
  if (allowMatch && text === 'match') return 'match'
  const expected = allowMatch ? 'a Boolean value or "match"' : 'a Boolean value'
  throw syntaxError(`${option.name} requires ${expected}`, option.pos + 1)
}

function columnsOf(option: SqlCopyOption, allowStar: boolean): CopyColumnChoice {
  if (option.value.kind === 'list') return option.value.items
  if (option.value.kind === 'star' && allowStar) return 'all'
  throw invalidParameterValue(`argument to option "${option.name}" must be a list of column names`)
}

type Raw = { -readonly [K in keyof CopyOptions]?: CopyOptions[K] } & { freeze?: boolean }

function readOption(raw: Raw, option: SqlCopyOption, isFrom: boolean): void {
  const seen = (key: keyof Raw): void => {
    if (raw[key] !== undefined) throw syntaxError('conflicting or redundant options', option.pos + 1)
  }
  switch (option.name) {
    case 'format': {
      seen('format')
      const format = textOf(option)
      if (format !== 'text' && format !== 'csv' && format !== 'binary') {
        throw new DbError({ severity: 'ERROR', code: SqlState.invalidParameterValue, message: `COPY format "${format}" not recognized`, position: option.pos + 1 })
      }
      raw.format = format
      return
    }
    case 'freeze': seen('freeze'); raw.freeze = booleanOf(option, false) === true; return
    case 'delimiter': seen('delimiter'); raw.delimiter = textOf(option); return
    case 'null': seen('nullString'); raw.nullString = textOf(option); return
    case 'header': seen('header'); raw.header = booleanOf(option, true); return
    case 'quote': seen('quote'); raw.quote = textOf(option); return
    case 'escape': seen('escape'); raw.escape = textOf(option); return
    case 'force_quote': seen('forceQuote'); raw.forceQuote = columnsOf(option, true); return
    case 'force_not_null': seen('forceNotNull'); raw.forceNotNull = columnsOf(option, false); return
    case 'force_null': seen('forceNull'); raw.forceNull = columnsOf(option, false); return
    case 'encoding': {
      const name = textOf(option).toLowerCase().replace(/[-_]/g, '')
      if (name !== 'utf8' && name !== 'unicode') throw featureNotSupported(`COPY ENCODING other than UTF8`, option.pos + 1)
      return
    }
    default: throw syntaxError(`option "${option.name}" not recognized`, option.pos + 1)
  }
  void isFrom
}

/** The checks ProcessCopyOptions makes after reading every option, in its order. */
function checkCombination(raw: Raw, isFrom: boolean): void {
  const format = raw.format ?? 'text'
  if (format === 'binary') {
    if (raw.delimiter !== undefined) throw syntaxError('cannot specify DELIMITER in BINARY mode')
    if (raw.nullString !== undefined) throw syntaxError('cannot specify NULL in BINARY mode')
    if (raw.header !== undefined && raw.header !== false) throw notSupported('cannot specify HEADER in BINARY mode')
  }
  const delimiter = raw.delimiter ?? (format === 'csv' ? ',' : '\t')
  const nullString = raw.nullString ?? (format === 'csv' ? '' : '\\N')
  if (Buffer.byteLength(delimiter) !== 1) throw notSupported('COPY delimiter must be a single one-byte character')
  if (delimiter === '\r' || delimiter === '\n') throw invalidParameterValue('COPY delimiter cannot be newline or carriage return')
  if (nullString.includes('\r') || nullString.includes('\n')) throw invalidParameterValue('COPY null representation cannot use newline or carriage return')
  if (format !== 'csv' && TEXT_DELIMITER_REFUSED.includes(delimiter)) throw invalidParameterValue(`COPY delimiter cannot be "${delimiter}"`)
  if (raw.header === 'match' && !isFrom) throw notSupported('cannot use "match" with HEADER in COPY TO')
  if (format !== 'csv' && raw.quote !== undefined) throw notSupported('COPY quote available only in CSV mode')
  if (raw.quote !== undefined && Buffer.byteLength(raw.quote) !== 1) throw notSupported('COPY quote must be a single one-byte character')
  if (format === 'csv' && delimiter === (raw.quote ?? '"')) throw invalidParameterValue('COPY delimiter and quote must be different')
  if (format !== 'csv' && raw.escape !== undefined) throw notSupported('COPY escape available only in CSV mode')
  if (raw.escape !== undefined && Buffer.byteLength(raw.escape) !== 1) throw notSupported('COPY escape must be a single one-byte character')
  if (format !== 'csv' && raw.forceQuote !== undefined) throw notSupported('COPY force quote available only in CSV mode')
  if (raw.forceQuote !== undefined && isFrom) throw notSupported('COPY force quote only available using COPY TO')
  if (format !== 'csv' && raw.forceNotNull !== undefined) throw notSupported('COPY force not null available only in CSV mode')
  if (raw.forceNotNull !== undefined && !isFrom) throw notSupported('COPY force not null only available using COPY FROM')
  if (format !== 'csv' && raw.forceNull !== undefined) throw notSupported('COPY force null available only in CSV mode')
  if (raw.forceNull !== undefined && !isFrom) throw notSupported('COPY force null only available using COPY FROM')
  if (nullString.includes(delimiter)) throw notSupported('COPY delimiter must not appear in the NULL specification')
  if (format === 'csv' && nullString.includes(raw.quote ?? '"')) throw invalidParameterValue('CSV quote character must not appear in the NULL specification')
  if (raw.freeze === true) throw featureNotSupported('COPY FREEZE')
}

export function readCopyOptions(options: ReadonlyArray<SqlCopyOption>, isFrom: boolean): CopyOptions {
  const raw: Raw = {}
  for (const option of options) readOption(raw, option, isFrom)
  checkCombination(raw, isFrom)
  const format = raw.format ?? 'text'
  const quote = raw.quote ?? '"'
  return {
    format,
    delimiter: raw.delimiter ?? (format === 'csv' ? ',' : '\t'),
    nullString: raw.nullString ?? (format === 'csv' ? '' : '\\N'),
    header: raw.header ?? false,
    quote,
    escape: raw.escape ?? quote,
    forceQuote: raw.forceQuote ?? [],
    forceNotNull: raw.forceNotNull ?? [],
    forceNull: raw.forceNull ?? [],
  }
}

/** Which of the COPY's columns a FORCE_* option names; a name not among them is 42P10 as in PostgreSQL. */
export function chosenColumns(choice: CopyColumnChoice, optionName: string, columnNames: ReadonlyArray<string>,
  tableName: string | null, tableColumnNames: ReadonlyArray<string>): boolean[] {
  if (choice === 'all') return columnNames.map(() => true)
  const chosen = columnNames.map(() => false)
  for (const name of choice) {
    if (tableName !== null && !tableColumnNames.includes(name)) throw undefinedColumn(`${name}" of relation "${tableName}`)
    const index = columnNames.indexOf(name)
    if (index < 0) throw invalidColumnReference(`${optionName} column "${name}" not referenced by COPY`)
    chosen[index] = true
  }
  return chosen
}
