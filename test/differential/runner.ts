// test/differential/runner: runs .sqltest blocks on a pg client and judges nodedb's outcome against PostgreSQL's —
// float columns to a relative tolerance (summation order differs between engines), everything else exactly — and
// keeps the per-pass counts (matched, refused as a known gap, failed) the summary prints.
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import type { SqlTestBlock } from './sqltest.js'

export const SOURCE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'differential')

/** Type OIDs compared as numbers: float4, float8, numeric. */
const FLOAT_OIDS = new Set([700, 701, 1700])
const FLOAT_RELATIVE_TOLERANCE = 1e-9
/**
 * What nodedb may answer a `# gap:` block with: it does not do that yet (refusing is never a wrong answer) —
 * feature not supported, no such function, or no such type (42704, e.g. `time`).
 */
const GAP_CODES = new Set(['0A000', '42883', '42704'])
/** Statements that change data or schema: run once, so the second pass (after CHECKPOINT) sees the same data. */
const SETUP_STATEMENT = /^\s*(CREATE|INSERT|ALTER|DROP|COPY|DELETE|UPDATE|TRUNCATE)\b/i

const rawText = { getTypeParser: () => (value: string) => value }

export interface Outcome {
  readonly code: string | null
  readonly message: string
  readonly oids: ReadonlyArray<number>
  readonly fields: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  /** The command tag as pg reports it ('DELETE 3'); compared for DELETE, MOVE and FETCH, whose count is their answer. */
  readonly tag?: string
}

/** Statements whose command tag must equal PostgreSQL's (the row count is what they answer). */
const TAGGED_STATEMENT = /^\s*(DELETE|MOVE|FETCH)\b/i

/** The `.sqltest` files to run: all, or the comma-separated names in NODEDB_DIFF_ONLY. */
export function sqlTestFiles(): string[] {
  const all = fs.readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.sqltest')).sort()
  const only = process.env.NODEDB_DIFF_ONLY
  if (only === undefined || only === '') return all
  const wanted = new Set(only.split(',').map((name) => name.trim()))
  const unknown = [...wanted].filter((name) => !all.includes(name))
  if (unknown.length > 0) throw new Error(`NODEDB_DIFF_ONLY names unknown files: ${unknown.join(', ')}`)
  return all.filter((f) => wanted.has(f))
}

/** A connected client of nodedb (any user and database reach its one database) or of the PostgreSQL oracle. */
export async function connectTo(which: 'nodedb' | 'postgres', port: number): Promise<pg.Client> {
  const client = which === 'nodedb'
    ? new pg.Client({ host: '127.0.0.1', port, user: 'u', database: 'd' })
    : new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await client.connect()
  return client
}

export function isSetupStatement(block: SqlTestBlock): boolean {
  return block.kind === 'statementOk' && SETUP_STATEMENT.test(block.sql)
}

/** Runs one block; with `values`, over the extended protocol with those text parameters (their types inferred). */
export async function runBlock(client: pg.Client, block: SqlTestBlock, values?: ReadonlyArray<string>): Promise<Outcome> {
  try {
    const result = await client.query({ text: block.sql, rowMode: 'array', types: rawText, ...(values === undefined ? {} : { values: [...values] }) })
    const fields = (result.fields ?? []).map((f) => f.name)
    const oids = (result.fields ?? []).map((f) => f.dataTypeID)
    let rows = (result.rows ?? []) as Array<Array<string | null>>
    if (block.kind === 'query' && block.rowsort) rows = [...rows].sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)))
    return { code: null, message: '', oids, fields, rows, tag: `${result.command} ${String(result.rowCount)}` }
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code
    const message = error instanceof Error ? error.message : String(error)
    return { code: typeof code === 'string' ? code : `no SQLSTATE: ${message}`, message, oids: [], fields: [], rows: [] }
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function sameValue(ours: string | null, theirs: string | null, isFloat: boolean): boolean {
  if (ours === theirs) return true
  if (!isFloat || ours === null || theirs === null) return false
  const a = Number(ours)
  const b = Number(theirs)
  if (Number.isNaN(a) || Number.isNaN(b)) return false
  return Math.abs(a - b) <= FLOAT_RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b))
}

/** Why two successful results differ (first difference only), or null when they match. */
export function resultDifference(ours: Outcome, theirs: Outcome): string | null {
  const columns = (o: Outcome) => o.fields.map((name, i) => `${name}:${o.oids[i]}`).join(', ')
  if (columns(ours) !== columns(theirs)) return `columns (${columns(ours)}) vs (${columns(theirs)})`
  if (ours.rows.length !== theirs.rows.length) return `${ours.rows.length} rows vs ${theirs.rows.length}`
  for (let r = 0; r < ours.rows.length; r++) {
    const a = ours.rows[r]!
    const b = theirs.rows[r]!
    for (let c = 0; c < b.length; c++) {
      if (!sameValue(a[c] ?? null, b[c] ?? null, FLOAT_OIDS.has(theirs.oids[c]!))) {
        return `row ${r + 1} column ${theirs.fields[c]}: ${JSON.stringify(a[c])} vs ${JSON.stringify(b[c])}`
      }
    }
  }
  return null
}

export type Verdict =
  | { readonly kind: 'matched'; readonly note?: string }
  | { readonly kind: 'gap' }
  | { readonly kind: 'failed'; readonly error: string }

function describeOutcome(outcome: Outcome): string {
  return outcome.code === null ? `${outcome.rows.length} rows` : `SQLSTATE ${outcome.code} (${outcome.message})`
}

/** Whether nodedb's outcome is right: PostgreSQL's (or the expected SQLSTATE), or a refusal of a `# gap:` block. */
export function judge(block: SqlTestBlock, ours: Outcome, theirs: Outcome | null, subject = 'nodedb'): Verdict {
  const expectedCode = block.kind === 'statementError' ? block.code : null
  let error: string | null = null
  if (theirs !== null && theirs.code !== expectedCode) {
    error = `PostgreSQL answered ${describeOutcome(theirs)}, the file expects ${expectedCode ?? 'rows'}: fix the corpus`
  } else if (ours.code !== (theirs?.code ?? expectedCode)) {
    error = `${subject} ${describeOutcome(ours)}, ${theirs === null ? `expected ${expectedCode === null ? 'rows' : `SQLSTATE ${expectedCode}`}` : `PostgreSQL ${describeOutcome(theirs)}`}`
  } else if (block.kind === 'query' && theirs !== null && ours.code === null) {
    const difference = resultDifference(ours, theirs)
    if (difference !== null) error = `result differs: ${difference}`
  } else if (block.kind === 'statementOk' && theirs !== null && ours.tag !== theirs.tag && TAGGED_STATEMENT.test(block.sql)) {
    error = `command tag ${ours.tag ?? '(none)'}, PostgreSQL ${theirs.tag ?? '(none)'}`
  }
  if (block.gap === null) return error === null ? { kind: 'matched' } : { kind: 'failed', error }
  if (error === null) return { kind: 'matched', note: `now matches PostgreSQL: the gap "${block.gap}" can be removed` }
  if (ours.code !== null && GAP_CODES.has(ours.code)) return { kind: 'gap' }
  return { kind: 'failed', error: `${error} (a gap may only be refused with 0A000 or 42883)` }
}

export interface Failure { readonly where: string; readonly sql: string; readonly error: string }

/** One pass over the corpus: counts and every failure, for the summary. */
export class PassTally {
  matched = 0
  gaps = 0
  readonly failures: Failure[] = []
  readonly notes: string[] = []

  constructor(readonly name: string) {}

  record(where: string, block: SqlTestBlock, verdict: Verdict): void {
    if (verdict.kind === 'matched') this.matched += 1
    if (verdict.kind === 'matched' && verdict.note !== undefined) this.notes.push(`${where} ${verdict.note}`)
    if (verdict.kind === 'gap') this.gaps += 1
    if (verdict.kind === 'failed') this.failures.push({ where, sql: firstLine(block.sql), error: verdict.error })
  }

  fail(where: string, sql: string, error: string): void {
    this.failures.push({ where, sql: firstLine(sql), error })
  }

  summary(): string {
    const lines = [`${this.name}: ${this.matched} matched, ${this.gaps} refused as gaps, ${this.failures.length} failed`]
    for (const failure of this.failures) lines.push(`  ${failure.where}  ${failure.sql}\n      ${oneLine(failure.error)}`)
    for (const note of this.notes) lines.push(`  note: ${note}`)
    return lines.join('\n')
  }
}

function firstLine(sql: string): string {
  const line = sql.split('\n')[0]!.trim()
  return line.length > 100 ? `${line.slice(0, 97)}...` : line
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > 300 ? `${flat.slice(0, 297)}...` : flat
}
