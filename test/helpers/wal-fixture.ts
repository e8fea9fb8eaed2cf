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

async function generate(outDir: string): Promise<void> {
  const dataDir = path.join(outDir, 'datadir')
  fs.mkdirSync(dataDir, { recursive: true })
  const server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
  const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
  try {
    await client.connect()
    await client.query(FIXTURE_TABLE_SQL)
    for (const sql of fixtureInsertSql('fx')) await client.query(sql)
    fs.writeFileSync(path.join(outDir, 'answers.json'), `${JSON.stringify(digestAnswers(await fixtureAnswers(client, 'fx')), null, 1)}\n`)
  } finally {
    await client.end()
    await server.kill()
  }
  fs.rmSync(path.join(dataDir, 'LOCK'), { force: true })
}

if (require.main === module) {
  const outDir = process.argv[2]
  if (outDir === undefined) throw new Error('usage: wal-fixture OUT_DIR')
  generate(outDir).catch((error: unknown) => { process.stderr.write(`${String(error)}\n`); process.exitCode = 1 })
}
