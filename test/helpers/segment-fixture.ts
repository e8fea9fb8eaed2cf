// test/helpers/segment-fixture: the rows and queries of test/fixtures/segments-v1, a data directory written by the
// build before segment format v2 (commit cfb03be: v1 segments, decimal floats as bit buckets) with the answers that
// build gave. test/integration/segment-format-compat.test.ts opens a copy with the current build and expects the same
// answers. To regenerate (only ever with a v1 build, e.g. a checkout of cfb03be built with this file copied in):
//   node dist/test/helpers/segment-fixture.js OUT_DIR   (writes OUT_DIR/datadir and OUT_DIR/answers.json)
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { startServerProcess } from './server-process.js'

/** Every column kind: timestamp, symbol, f64 (decimal, full precision, special values, NULLs), i64, bool, text. */
export const FIXTURE_TABLE_SQL = 'CREATE TABLE fx (time TIMESTAMPTZ NOT NULL, host TEXT, walk DOUBLE PRECISION, ' +
  'noisy DOUBLE PRECISION, special DOUBLE PRECISION, n BIGINT, flag BOOLEAN, note NUMERIC)'

/** 6,000 rows: in time order, then a second batch of out-of-order and repeated timestamps. */
export function fixtureInsertSql(table: string): string[] {
  const select = (from: number, to: number, time: string): string => `INSERT INTO ${table} SELECT ${time}, 'h' || (g % 5), ` +
    `((g * 37) % 1000) / 100.0, sin(g), CASE g % 50 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN '-0'::float8 ` +
    `WHEN 2 THEN 'Infinity'::float8 WHEN 3 THEN '-Infinity'::float8 WHEN 4 THEN NULL WHEN 5 THEN 5e-324 ` +
    `WHEN 6 THEN 1.7976931348623157e308 ELSE (g % 13) / 4.0 END, CASE WHEN g % 11 = 0 THEN NULL ELSE g * g - 1000 END, ` +
    `CASE WHEN g % 17 = 0 THEN NULL ELSE g % 3 = 0 END, CASE WHEN g % 7 = 0 THEN NULL ELSE (g / 8.0)::numeric END ` +
    `FROM generate_series(${from}, ${to}) AS g`
  return [
    select(0, 3999, `'2024-01-01'::timestamptz + g * interval '10 s'`),
    select(4000, 5999, `'2024-01-01'::timestamptz + ((g * 7919) % 4000) * interval '10 s' + interval '3 s'`),
  ]
}

/** Queries whose text answers must not change across the format change. */
export function fixtureQueries(table: string): string[] {
  return [
    `SELECT * FROM ${table} ORDER BY time, host, n`,
    `SELECT host, count(*), count(special), sum(walk), min(special), max(special), avg(noisy), sum(n), count(flag) ` +
      `FROM ${table} GROUP BY host ORDER BY host`,
    `SELECT count(*) FROM ${table} WHERE walk > 5 AND special = 0`,
    `SELECT time, special FROM ${table} WHERE special <> special OR special = 'Infinity' OR special = '-Infinity' ` +
      `ORDER BY time, special`,
  ]
}

/** Each query's rows with every value as PostgreSQL's text output (null as null). */
export async function fixtureAnswers(client: pg.Client, table: string): Promise<string[][][]> {
  const answers: string[][][] = []
  for (const text of fixtureQueries(table)) {
    const result = await client.query({ text, rowMode: 'array', types: { getTypeParser: () => (value: string) => value } })
    answers.push(result.rows as string[][])
  }
  return answers
}

/** What answers.json keeps of each answer: its row count and the SHA-256 of its JSON (the rows are ~600 kB). */
export interface AnswerDigest { readonly rows: number; readonly sha256: string }

export function digestAnswers(answers: ReadonlyArray<ReadonlyArray<ReadonlyArray<string | null>>>): AnswerDigest[] {
  return answers.map((rows) => ({ rows: rows.length, sha256: createHash('sha256').update(JSON.stringify(rows)).digest('hex') }))
}

async function generate(outDir: string): Promise<void> {
  const dataDir = path.join(outDir, 'datadir')
  fs.mkdirSync(dataDir, { recursive: true })
  const server = await startServerProcess({ dataDir })
  const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
  try {
    await client.connect()
    await client.query(FIXTURE_TABLE_SQL)
    for (const sql of fixtureInsertSql('fx')) {
      await client.query(sql)
      await client.query('CHECKPOINT')
    }
    fs.writeFileSync(path.join(outDir, 'answers.json'), `${JSON.stringify(digestAnswers(await fixtureAnswers(client, 'fx')), null, 1)}\n`)
  } finally {
    await client.end()
    await server.stop()
  }
}

if (require.main === module) {
  const outDir = process.argv[2]
  if (outDir === undefined) throw new Error('usage: segment-fixture OUT_DIR')
  generate(outDir).catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
}
