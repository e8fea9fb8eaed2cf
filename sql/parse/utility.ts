// sql/parse/utility: the thin front layer for utility statements node-sql-parser does not know (SET, SHOW, BEGIN,
// COMMIT, ROLLBACK, DISCARD, ALTER TABLE ... SET/RESET (options)). It matches whole statements only; anything else
// goes on to the adapter.
import { syntaxError } from '../../src/common/errors.js'
import type { SqlAlterTableOptions, SqlStatement } from './ast.js'

const NAME = '([A-Za-z_][A-Za-z0-9_.]*|"[^"]+")'

function unquoteName(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1) : raw.toLowerCase()
}

/** The value of SET as text: quotes removed; a list of values joined with ', ' as PostgreSQL shows it. */
function parseSetValue(raw: string): string {
  const parts = raw.split(',').map((part) => part.trim())
  return parts
    .map((part) => (part.startsWith("'") && part.endsWith("'") ? part.slice(1, -1).replace(/''/g, "'") : part))
    .join(', ')
}

const IDENT = '([A-Za-z_][A-Za-z0-9_]*|"(?:[^"]|"")+")'
const ALTER_OPTIONS = new RegExp(
  `^ALTER\\s+TABLE\\s+(IF\\s+EXISTS\\s+)?(?:ONLY\\s+)?(?:public\\.)?${IDENT}\\s+(SET|RESET)\\s*\\(([\\s\\S]*)\\)$`, 'i')
const SET_OPTION = new RegExp(`^${IDENT}(?:\\s*=\\s*('(?:[^']|'')*'|[^\\s',()=]+))?$`)
const RESET_OPTION = new RegExp(`^${IDENT}$`)

function unquoteIdent(raw: string): string {
  return raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.toLowerCase()
}

/** Splits an option list at commas outside single quotes. */
function splitOptions(text: string): string[] {
  return (text.match(/(?:'(?:[^']|'')*'|[^,'])+|,/g) ?? []).reduce<string[]>((parts, piece) => {
    if (piece === ',') parts.push('')
    else parts[parts.length - 1] += piece
    return parts
  }, ['']).map((part) => part.trim())
}

function parseOptionValue(raw: string | undefined): string | null {
  if (raw === undefined) return 'true'
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'")
  return /^null$/i.test(raw) ? null : raw
}

/** ALTER TABLE ... SET (name = value, ...) / RESET (name, ...); a malformed option list is 42601. */
function parseAlterTableOptions(body: string): SqlAlterTableOptions | null {
  const match = ALTER_OPTIONS.exec(body)
  if (match === null) return null
  const isReset = (match[3] ?? '').toUpperCase() === 'RESET'
  const options = splitOptions(match[4] ?? '').map((item) => {
    const option = (isReset ? RESET_OPTION : SET_OPTION).exec(item)
    if (option === null) throw syntaxError(`syntax error at or near "${item.split(/\s+/)[0] || ')'}"`)
    return { name: unquoteIdent(option[1] ?? ''), value: isReset ? null : parseOptionValue(option[2]) }
  })
  return { kind: 'SqlAlterTableOptions', table: unquoteIdent(match[2] ?? ''), ifExists: match[1] !== undefined, options }
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ').trim()
}

/** Returns the utility statement `text` is, or null when it is not one of them. */
export function parseUtility(text: string): SqlStatement | null {
  const body = stripComments(text)
  const set = new RegExp(`^SET\\s+(?:SESSION\\s+|LOCAL\\s+)?${NAME}\\s*(?:=|\\s+TO\\s+)\\s*([\\s\\S]+)$`, 'i').exec(body)
  if (set !== null) return { kind: 'SqlSet', name: unquoteName(set[1] ?? ''), value: parseSetValue(set[2] ?? '') }
  const timeZone = /^SET\s+(?:SESSION\s+|LOCAL\s+)?TIME\s+ZONE\s+([\s\S]+)$/i.exec(body)
  if (timeZone !== null) return { kind: 'SqlSet', name: 'timezone', value: parseSetValue(timeZone[1] ?? '') }
  const show = new RegExp(`^SHOW\\s+${NAME}$`, 'i').exec(body)
  if (show !== null) return { kind: 'SqlShow', name: unquoteName(show[1] ?? '') }
  if (/^(BEGIN|START\s+TRANSACTION)(\s+(WORK|TRANSACTION|ISOLATION\s+LEVEL\s+[A-Z ]+|READ\s+(ONLY|WRITE)))*$/i.test(body)) {
    return { kind: 'SqlTransaction', action: 'begin' }
  }
  if (/^(COMMIT|END)(\s+(WORK|TRANSACTION))?$/i.test(body)) return { kind: 'SqlTransaction', action: 'commit' }
  if (/^(ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?$/i.test(body)) return { kind: 'SqlTransaction', action: 'rollback' }
  if (/^DISCARD\s+ALL$/i.test(body)) return { kind: 'SqlDiscard' }
  return parseAlterTableOptions(body)
}
