// Goal: where nodedb's SQL semantics should match PostgreSQL's, they do — same column names, type OIDs and text
// values. Method: every test/differential/*.sqltest runs against a nodedb server process and a throwaway real
// PostgreSQL (test/helpers/postgres.ts), each block compared; nothing expected is typed by hand.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { parseSqlTest, type SqlTestBlock } from './sqltest.js'

const SOURCE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'differential')
const files = fs.readdirSync(SOURCE_DIR).filter((f) => f.endsWith('.sqltest')).sort()
const rawText = { getTypeParser: () => (value: string) => value }

interface Outcome { readonly code: string | null; readonly fields: string[]; readonly rows: string[] }

async function run(client: pg.Client, block: SqlTestBlock): Promise<Outcome> {
  try {
    const result = await client.query({ text: block.sql, rowMode: 'array', types: rawText })
    const fields = (result.fields ?? []).map((f) => `${f.name}:${f.dataTypeID}`)
    let rows = (result.rows ?? []).map((r: unknown[]) => JSON.stringify(r))
    if (block.kind === 'query' && block.rowsort) rows = [...rows].sort()
    return { code: null, fields, rows }
  } catch (error: unknown) {
    const code = (error as { code?: string }).code
    return { code: code ?? `no SQLSTATE: ${String(error)}`, fields: [], rows: [] }
  }
}

describe('differential: nodedb against PostgreSQL', function () {
  let oracle: Postgres
  let server: ServerProcess
  let dataDir: string

  before(async function () {
    oracle = await startPostgres()
    dataDir = makeTempDir('differential')
    server = await startServerProcess({ dataDir })
  })

  after(async function () {
    await server?.stop()
    oracle?.stop()
    if (dataDir !== undefined) removeDir(dataDir)
  })

  for (const file of files) {
    it(file, async function () {
      const test = parseSqlTest(path.join(SOURCE_DIR, file))
      const nodedb = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'u', database: 'd' })
      const postgres = new pg.Client({ host: '127.0.0.1', port: oracle.port, user: 'postgres', database: 'postgres' })
      await nodedb.connect()
      await postgres.connect()
      // Every divergence of the file is collected, so one run shows them all.
      const failures: string[] = []
      try {
        for (const block of test.blocks) {
          const where = `${file}:${block.line}`
          const ours = await run(nodedb, block)
          if (block.kind === 'statementOk' && ours.code !== null) failures.push(`${where} failed on nodedb: ${ours.code}`)
          if (block.kind === 'statementError' && ours.code !== block.code) failures.push(`${where} SQLSTATE ${ours.code} on nodedb, expected ${block.code}`)
          if (block.nodedbOnly) continue
          const theirs = await run(postgres, block)
          if (ours.code !== theirs.code) failures.push(`${where} SQLSTATE ${ours.code} on nodedb, ${theirs.code} on PostgreSQL`)
          else if (block.kind === 'query' && JSON.stringify(ours) !== JSON.stringify(theirs)) {
            failures.push(`${where} result differs:\n  nodedb:     ${JSON.stringify(ours)}\n  postgresql: ${JSON.stringify(theirs)}`)
          }
        }
        assert.equal(failures.length, 0, failures.join('\n'))
      } finally {
        await nodedb.end()
        await postgres.end()
      }
    })
  }
})
