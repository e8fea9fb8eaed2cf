// test/differential/sqltest: DuckDB-style .sqltest files run against nodedb and a real PostgreSQL.
// Blocks are separated by blank lines: `statement ok`, `statement error <SQLSTATE>`, or `query` (optionally
// `query rowsort`) followed by SQL. Expected rows are never typed by hand: a query's column names, type OIDs and
// text-format values from nodedb must equal PostgreSQL's. `# differs: <reason>` marks a block run on nodedb only.
// `# gap: <reason>` marks a block nodedb may refuse (SQLSTATE 0A000, 42883 or 42704: never a wrong answer) until it learns it.
import fs from 'node:fs'

interface BlockBase {
  readonly sql: string
  readonly line: number
  readonly nodedbOnly: boolean
  /** The reason of a `# gap:` annotation, or null. */
  readonly gap: string | null
}

export type SqlTestBlock =
  | BlockBase & { readonly kind: 'statementOk' }
  | BlockBase & { readonly kind: 'statementError'; readonly code: string }
  | BlockBase & { readonly kind: 'query'; readonly rowsort: boolean }

interface Annotations { readonly nodedbOnly: boolean; readonly gap: string | null }

export interface SqlTestFile {
  readonly name: string
  readonly blocks: ReadonlyArray<SqlTestBlock>
}

function parseBlock(lines: ReadonlyArray<string>, line: number, annotations: Annotations): SqlTestBlock {
  const [directive = '', ...rest] = lines
  const sql = rest.join('\n')
  if (sql.trim() === '') throw new Error(`line ${line}: directive without SQL`)
  const words = directive.trim().split(/\s+/)
  const base = { sql, line, ...annotations }
  if (words[0] === 'statement' && words[1] === 'ok') return { kind: 'statementOk', ...base }
  if (words[0] === 'statement' && words[1] === 'error' && words[2] !== undefined) {
    return { kind: 'statementError', code: words[2], ...base }
  }
  if (words[0] === 'query') return { kind: 'query', rowsort: words[1] === 'rowsort', ...base }
  throw new Error(`line ${line}: unknown directive "${directive}"`)
}

export function parseSqlTest(file: string): SqlTestFile {
  const text = fs.readFileSync(file, 'utf8')
  let name = file
  const blocks: SqlTestBlock[] = []
  let current: string[] = []
  let start = 0
  let nodedbOnly = false
  let gap: string | null = null
  const close = (): void => {
    if (current.length > 0) blocks.push(parseBlock(current, start, { nodedbOnly, gap }))
    current = []
    nodedbOnly = false
    gap = null
  }
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd()
    if (line.startsWith('# name:')) name = line.slice('# name:'.length).trim()
    if (line.startsWith('# differs:')) nodedbOnly = true
    if (line.startsWith('# gap:')) gap = line.slice('# gap:'.length).trim() || 'unnamed gap'
    if (line.startsWith('#')) return
    if (line === '') return close()
    if (current.length === 0) start = index + 1
    current.push(line)
  })
  close()
  return { name, blocks }
}
