// test/helpers/wal-main-fixture: makes test/fixtures/wal-main-57ead0b, a data directory whose rows are only in the WAL
// as main at 57ead0b wrote it — the last record format before PartRecord/CommitRecord (engine/wal/commit-record.ts):
// a multi-table COMMIT as one IngestRecord per table, autocommit INSERTs, a DELETE's DeleteRecord — with that build's
// answers to FIXTURE_QUERIES. test/integration/wal-format-compat.test.ts replays a copy with the current build and
// expects the same answers. To regenerate (only with a build of main at 57ead0b; this file's compiled JS copied into
// that build's dist/test/helpers/ together with wal-fixture.js, whose generator it shares): node dist/test/helpers/wal-main-fixture.js OUT_DIR
// The server is killed (SIGKILL) after answering, so nothing is flushed or checkpointed: the WAL holds every row.
import pg from 'pg'
import { runWalFixtureCli } from './wal-fixture.js'

const TABLE_COLUMNS = '(ts timestamptz NOT NULL, host text, v float8, n int8)'

/** INSERT of `count` rows into `table`, seeded by `seed` (deterministic text: the answers compare as text). */
function insertSql(table: string, seed: number, count: number): string {
  const rows: string[] = []
  for (let i = 0; i < count; i++) {
    const ts = new Date(Date.UTC(2024, 2, 1) + seed * 1_000_000 + i * 1000).toISOString()
    rows.push(`('${ts}', 'h${(i * 7 + seed) % 5}', ${((i * 37 + seed) % 200) / 4}, ${i * seed - 50})`)
  }
  return `INSERT INTO ${table} VALUES ${rows.join(', ')}`
}

/** What the fixture's writer ran, in order. */
export const FIXTURE_STATEMENTS: ReadonlyArray<string> = [
  `CREATE TABLE ta ${TABLE_COLUMNS}`, `CREATE TABLE tb ${TABLE_COLUMNS}`,
  'BEGIN', insertSql('ta', 1, 200), insertSql('tb', 2, 150), insertSql('ta', 3, 50), 'COMMIT',
  insertSql('ta', 4, 100), 'DELETE FROM ta WHERE v < 5', insertSql('tb', 5, 60),
]

export const FIXTURE_QUERIES: ReadonlyArray<string> = [
  'SELECT ts, host, v, n FROM ta ORDER BY ts, host, v, n',
  'SELECT ts, host, v, n FROM tb ORDER BY ts, host, v, n',
  'SELECT host, count(*), sum(v), min(n), max(n) FROM ta GROUP BY host ORDER BY host',
]

/** Every query's rows as text arrays. */
export async function fixtureQueryAnswers(client: pg.Client): Promise<unknown[][][]> {
  const answers: unknown[][][] = []
  for (const text of FIXTURE_QUERIES) answers.push((await client.query({ text, rowMode: 'array' })).rows as unknown[][])
  return answers
}

runWalFixtureCli(module, 'wal-main-fixture', async (client) => {
  for (const sql of FIXTURE_STATEMENTS) await client.query(sql)
  return `${JSON.stringify(await fixtureQueryAnswers(client))}\n`
})
