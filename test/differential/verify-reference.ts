// test/differential/verify-reference: checks the corpus itself against a PostgreSQL, no nodedb involved — every
// block runs (statement ok succeeds, statement error gives its SQLSTATE) and every query not marked rowsort returns
// the same rows in the same order whether the data went in shuffled or reversed (an ORDER BY on a non-unique key
// would show ties in insertion order). Run: node dist/test/differential/verify-reference.js [port] (default 55432);
// it (re)creates databases corpus_a and corpus_b there. NODEDB_DIFF_ONLY applies.
import path from 'node:path'
import pg from 'pg'
import { CORPUS_TABLES, corpusInserts, POSTGRES_PREAMBLE } from './corpus-data.js'
import { judge, resultDifference, runBlock, sqlTestFiles, SOURCE_DIR } from './runner.js'
import { parseSqlTest } from './sqltest.js'

const DATABASES = ['corpus_a', 'corpus_b'] as const

async function load(port: number): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await admin.connect()
  for (const db of DATABASES) {
    await admin.query(`DROP DATABASE IF EXISTS ${db}`)
    await admin.query(`CREATE DATABASE ${db}`)
  }
  await admin.end()
  for (const [i, db] of DATABASES.entries()) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: db })
    await client.connect()
    for (const sql of [...POSTGRES_PREAMBLE, ...CORPUS_TABLES, ...corpusInserts(i === 1)]) await client.query(sql)
    await client.end()
  }
}

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? '55432')
  await load(port)
  const problems: string[] = []
  let queries = 0
  let blocks = 0
  for (const file of sqlTestFiles()) {
    const test = parseSqlTest(path.join(SOURCE_DIR, file))
    const clients = DATABASES.map((db) => new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: db }))
    await Promise.all(clients.map((client) => client.connect()))
    let fileBlocks = 0
    for (const block of test.blocks) {
      if (block.nodedbOnly) continue
      const [a, b] = [await runBlock(clients[0]!, block), await runBlock(clients[1]!, block)]
      blocks += 1
      fileBlocks += 1
      if (block.kind !== 'statementOk') queries += 1
      const verdict = judge(block, a, null, 'PostgreSQL')
      if (verdict.kind === 'failed') problems.push(`${file}:${block.line} ${verdict.error}\n    ${block.sql}`)
      const difference = block.kind === 'query' && a.code === null ? resultDifference(a, b) : null
      if (difference !== null) problems.push(`${file}:${block.line} order depends on insertion order: ${difference}\n    ${block.sql}`)
    }
    process.stdout.write(`${file}: ${fileBlocks} blocks\n`)
    await Promise.all(clients.map((client) => client.end()))
  }
  process.stdout.write(`${problems.join('\n')}\n${blocks} blocks (${queries} queries and expected errors), ${problems.length} problems\n`)
  process.exitCode = problems.length === 0 ? 0 : 1
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`)
  process.exitCode = 2
})
