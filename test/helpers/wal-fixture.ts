// test/helpers/wal-fixture: makes test/fixtures/wal-flat-v1, a data directory whose rows are only in the WAL, in the
// flat IngestRecord layout (ingest-flat.ts) nodedb wrote before the compact one (issue 10), with the answers the
// build that wrote it gave. test/integration/wal-format-compat.test.ts replays a copy with the current build and
// expects the same answers. The rows and queries are segment-fixture.ts's. To regenerate (only ever with a build from
// before the compact layout, e.g. main at cf743de; the fixture's WAL payloads must start 0xc1 0x01):
//   node dist/test/helpers/wal-fixture.js OUT_DIR   (writes OUT_DIR/datadir and OUT_DIR/answers.json)
// The server is killed (SIGKILL) after answering, so nothing is flushed or checkpointed: the WAL holds every row.
// test/fixtures/wal-compact-v2 was made the same way by main at 49c4a06: compact payloads from before DECIMAL_PACKED.
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { FIXTURE_TABLE_SQL, digestAnswers, fixtureAnswers, fixtureInsertSql } from './segment-fixture.js'
import { startServerProcess } from './server-process.js'

/**
 * A WAL fixture: a server on OUT_DIR/datadir, `fill` run on it (its statements, then the text of answers.json it
 * returns), and the server killed (SIGKILL: nothing flushed or checkpointed, the WAL holds every row).
 */
export async function generateWalFixture(outDir: string, fill: (client: pg.Client) => Promise<string>): Promise<void> {
  const dataDir = path.join(outDir, 'datadir')
  fs.mkdirSync(dataDir, { recursive: true })
  const server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
  const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
  try {
    await client.connect()
    fs.writeFileSync(path.join(outDir, 'answers.json'), await fill(client))
  } finally {
    await client.end()
    await server.kill()
  }
  fs.rmSync(path.join(dataDir, 'LOCK'), { force: true })
}

/** A fixture generator's command line (`node dist/test/helpers/NAME.js OUT_DIR`), when `caller` is the main module. */
export function runWalFixtureCli(caller: NodeModule, name: string, fill: (client: pg.Client) => Promise<string>): void {
  if (require.main !== caller) return
  const outDir = process.argv[2]
  if (outDir === undefined) throw new Error(`usage: ${name} OUT_DIR`)
  generateWalFixture(outDir, fill).catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
}

runWalFixtureCli(module, 'wal-fixture', async (client) => {
  await client.query(FIXTURE_TABLE_SQL)
  for (const sql of fixtureInsertSql('fx')) await client.query(sql)
  return `${JSON.stringify(digestAnswers(await fixtureAnswers(client, 'fx')), null, 1)}\n`
})
