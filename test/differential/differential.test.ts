// Goal: where nodedb's SQL semantics should match PostgreSQL's, they do — same column names, type OIDs and text
// values (floats to a relative 1e-9) — with the data in memtables and again in segments. Method: the shared corpus
// data (corpus-data.ts) is loaded into a nodedb server process and a throwaway real PostgreSQL
// (test/helpers/postgres.ts); every test/differential/*.sqltest runs on both and each block is judged (runner.ts);
// then CHECKPOINT flushes nodedb's memtables and every file runs again, and a third time with every optimizer
// switched off. Nothing expected is typed by hand.
// NODEDB_DIFF_ONLY=a.sqltest,b.sqltest runs only those files. A summary lists every failing block per pass.
import assert from 'node:assert/strict'
import path from 'node:path'
import type pg from 'pg'
import { startPostgres, type Postgres } from '../helpers/postgres.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { CORPUS_TABLES, corpusInserts, POSTGRES_PREAMBLE } from './corpus-data.js'
import { connectTo, isSetupStatement, judge, PassTally, runBlock, resultDifference, sqlTestFiles, SOURCE_DIR, type Outcome } from './runner.js'
import { parseSqlTest } from './sqltest.js'

const files = sqlTestFiles()
// The third pass switches off every optimizer (pushdown into the scans, lastpoint, top-N, streaming): the plain
// plans must give the same answers, so a rewrite can never be what makes an answer right or wrong.
const PASSES = ['memtables', 'segments (after CHECKPOINT)', 'segments, optimizers off'] as const

describe('differential: nodedb against PostgreSQL', function () {
  this.timeout(300_000)
  let oracle: Postgres
  let server: ServerProcess
  let dataDir: string
  const tallies = PASSES.map((name) => new PassTally(name))
  /** nodedb's answers of the first pass, to check the second returns the same rows in the same order. */
  const firstAnswers = new Map<string, Outcome>()
  const connect = (which: 'nodedb' | 'postgres'): Promise<pg.Client> => connectTo(which, which === 'nodedb' ? server.pgPort : oracle.port)

  before(async function () {
    oracle = await startPostgres()
    dataDir = makeTempDir('differential')
    // The corpus's tables are small: blocks of 8 rows make the memtable pass read packed blocks and a tail, as large
    // tables do (engine/timeseries/memtable-blocks.ts); the segment pass reads what those flush to.
    server = await startServerProcess({ dataDir, env: { NODEDB_MEMTABLE_BLOCK_ROWS: process.env.NODEDB_MEMTABLE_BLOCK_ROWS ?? '8' } })
    const [nodedb, postgres] = [await connect('nodedb'), await connect('postgres')]
    try {
      for (const sql of POSTGRES_PREAMBLE) await postgres.query(sql)
      for (const sql of [...CORPUS_TABLES, ...corpusInserts()]) {
        await postgres.query(sql)
        // A load nodedb refuses fails every query on the corpus tables: recorded, not fatal, so the other files run.
        await nodedb.query(sql).catch((error: unknown) => tallies[0]!.fail('corpus-data.ts', sql, `load failed: ${String(error)}`))
      }
    } finally {
      await Promise.all([nodedb.end(), postgres.end()])
    }
  })

  after(async function () {
    process.stdout.write(`\n${tallies.map((tally) => tally.summary()).join('\n')}\n`)
    await server?.stop()
    oracle?.stop()
    if (dataDir !== undefined) removeDir(dataDir)
  })

  PASSES.forEach((passName, pass) => {
    if (pass === 1) {
      it('CHECKPOINT flushes every memtable', async function () {
        const nodedb = await connect('nodedb')
        try {
          await nodedb.query('CHECKPOINT')
        } catch (error) {
          tallies[1]!.fail('CHECKPOINT', 'CHECKPOINT', String(error))
          throw error
        } finally {
          await nodedb.end()
        }
      })
    }
    for (const file of files) {
      it(`${passName}: ${file}`, async function () {
        const test = parseSqlTest(path.join(SOURCE_DIR, file))
        // A file that loads its own data sees all of it in the second pass: only then are the two passes comparable.
        const isReadOnly = !test.blocks.some(isSetupStatement)
        const tally = tallies[pass]!
        const before = tally.failures.length
        const [nodedb, postgres] = [await connect('nodedb'), await connect('postgres')]
        try {
          if (pass === 2) await nodedb.query("SET nodedb.disabled_optimizers = 'all'")
          for (const block of test.blocks) {
            if (pass >= 1 && isSetupStatement(block)) continue
            const where = `${file}:${block.line}`
            const ours = await runBlock(nodedb, block)
            const theirs = block.nodedbOnly ? null : await runBlock(postgres, block)
            tally.record(where, block, judge(block, ours, theirs))
            if (block.kind !== 'query' || !isReadOnly || ours.code !== null) continue
            // Psql-free: memtables and segments must give the same rows, in the same order unless rowsort.
            const earlier = firstAnswers.get(where)
            if (pass === 0) firstAnswers.set(where, ours)
            const difference = earlier === undefined ? null : resultDifference(ours, earlier)
            if (difference !== null) tally.fail(where, block.sql, `${passName} answer differs from memtables: ${difference}`)
          }
        } finally {
          await Promise.all([nodedb.end(), postgres.end()])
        }
        const failures = tally.failures.slice(before)
        assert.equal(failures.length, 0, failures.map((f) => `${f.where} ${f.sql}\n  ${f.error}`).join('\n'))
      })
    }
  })
})
