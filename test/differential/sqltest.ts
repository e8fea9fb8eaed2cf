// test/differential/sqltest: DuckDB-style .sqltest files run against nodedb and a real PostgreSQL.
// Blocks are separated by blank lines: `statement ok`, `statement error <SQLSTATE>`, or `query` (optionally
// `query rowsort`) followed by SQL. Expected rows are never typed by hand: a query's column names, type OIDs and
// text-format values from nodedb must equal PostgreSQL's. `# differs: <reason>` marks a block run on nodedb only.
import fs from 'node:fs'

export type SqlTestBlock =
  | { readonly kind: 'statementOk'; readonly sql: string; readonly line: number; readonly nodedbOnly: boolean }
  | { readonly kind: 'statementError'; readonly code: string; readonly sql: string; readonly line: number; readonly nodedbOnly: boolean }
  | { readonly kind: 'query'; readonly rowsort: boolean; readonly sql: string; readonly line: number; readonly nodedbOnly: boolean }

export interface SqlTestFile {
  readonly name: string
  readonly blocks: ReadonlyArray<SqlTestBlock>
}

function parseBlock(lines: ReadonlyArray<string>, line: number, nodedbOnly: boolean): SqlTestBlock {
  const [directive = '', ...rest] = lines
  const sql = rest.join('\n')
  if (sql.trim() === '') throw new Error(`line ${line}: directive without SQL`)
  const words = directive.trim().split(/\s+/)
  if (words[0] === 'statement' && words[1] === 'ok') return { kind: 'statementOk', sql, line, nodedbOnly }
  if (words[0] === 'statement' && words[1] === 'error' && words[2] !== undefined) {
    return { kind: 'statementError', code: words[2], sql, line, nodedbOnly }
  }
  if (words[0] === 'query') return { kind: 'query', rowsort: words[1] === 'rowsort', sql, line, nodedbOnly }
  throw new Error(`line ${line}: unknown directive "${directive}"`)
}

export function parseSqlTest(file: string): SqlTestFile {
  const text = fs.readFileSync(file, 'utf8')
  let name = file
  const blocks: SqlTestBlock[] = []
  let current: string[] = []
  let start = 0
  let nodedbOnly = false
  const close = (): void => {
    if (current.length > 0) blocks.push(parseBlock(current, start, nodedbOnly))
    current = []
    nodedbOnly = false
  }
  text.split('\n').forEach((raw, index) => {
    const line = raw.trimEnd()
    if (line.startsWith('# name:')) name = line.slice('# name:'.length).trim()
    if (line.startsWith('# differs:')) nodedbOnly = true
    if (line.startsWith('#')) return
    if (line === '') return close()
    if (current.length === 0) start = index + 1
    current.push(line)
  })
  close()
  return { name, blocks }
}
