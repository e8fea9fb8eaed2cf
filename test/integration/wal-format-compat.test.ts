// Goal: a WAL written before the compact IngestRecord layout (flat payloads, issue 10) replays into exactly the
// answers the build that wrote it gave, and the same rows written by this build (compact payloads) replay after a
// kill -9 into the same answers. Method: test/fixtures/wal-flat-v1 holds the data directory a pre-compact build left
// when killed right after answering (every row only in the WAL; test/helpers/wal-fixture.ts made it) and the digest of
// that build's answers (the oracle, as the old build is not in the tree); a copy is served by this build through its
// launcher and queried with node-postgres in text mode; each record's first two payload bytes show its layout.
// test/fixtures/wal-main-57ead0b (test/helpers/wal-main-fixture.ts) is main's last WAL before the multi-record
// commit's record kinds: it replays into main's answers, and beside it this build's COMMIT (parts + commit) replays.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { COMPACT_PAYLOAD_VERSION } from '../../engine/wal/ingest-compact.js'
import { FLAT_PAYLOAD_MARK, FLAT_PAYLOAD_VERSION } from '../../engine/wal/ingest-flat.js'
import { decodeWalRecord, parseWalSegmentName } from '../../engine/wal/record.js'
import { FIXTURE_QUERIES, FIXTURE_STATEMENTS, fixtureQueryAnswers } from '../helpers/wal-main-fixture.js'
import {
  FIXTURE_TABLE_SQL, digestAnswers, fixtureAnswers, fixtureInsertSql, type AnswerDigest,
} from '../helpers/segment-fixture.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const FIXTURE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'wal-flat-v1')
// The same rows written by main at 49c4a06, in compact payloads before DECIMAL_PACKED (f64 deltas only as varints).
const COMPACT_V2_FIXTURE_DIR = path.resolve(FIXTURE_DIR, '..', 'wal-compact-v2')
// A multi-table COMMIT, INSERTs and a DELETE written by main at 57ead0b, before PartRecord/CommitRecord.
const MAIN_57EAD0B_FIXTURE_DIR = path.resolve(FIXTURE_DIR, '..', 'wal-main-57ead0b')

/** The kinds of every record in the WAL of `dataDir`, in order. */
function recordKinds(dataDir: string): string[] {
  const walDir = path.join(dataDir, 'wal')
  const kinds: string[] = []
  for (const name of fs.readdirSync(walDir).filter((file) => parseWalSegmentName(file) !== undefined).sort()) {
    const bytes = fs.readFileSync(path.join(walDir, name))
    for (let offset = 0; offset < bytes.length;) {
      const outcome = decodeWalRecord(bytes, offset)
      if (outcome.kind !== 'record') throw new Error(`${name} at ${offset}: ${outcome.reason}`)
      kinds.push(outcome.record.kind)
      offset = outcome.nextOffset
    }
  }
  return kinds
}

/** The payload layout (its version byte) of every IngestRecord of `tableId` in the WAL of `dataDir`. */
function payloadVersions(dataDir: string, tableId: number): number[] {
  const walDir = path.join(dataDir, 'wal')
  const versions: number[] = []
  for (const name of fs.readdirSync(walDir).filter((file) => parseWalSegmentName(file) !== undefined).sort()) {
    const bytes = fs.readFileSync(path.join(walDir, name))
    for (let offset = 0; offset < bytes.length;) {
      const outcome = decodeWalRecord(bytes, offset)
      assert.equal(outcome.kind, 'record', `${name} at ${offset}`)
      if (outcome.kind !== 'record') break
      const { record } = outcome
      if (record.kind === 'IngestRecord' && record.tableId === tableId) {
        assert.equal(record.payload[0], FLAT_PAYLOAD_MARK)
        versions.push(record.payload[1]!)
      }
      offset = outcome.nextOffset
    }
  }
  return versions
}

describe('integration: WALs of flat IngestRecord payloads still replay; compact ones replay after kill -9', function () {
  this.timeout(120000)
  let server: ServerProcess
  let dataDir: string
  let client: pg.Client
  const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'answers.json'), 'utf8')) as AnswerDigest[]

  const start = async (): Promise<void> => {
    server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
    client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
    await client.connect()
  }

  before(async function () {
    dataDir = makeTempDir('wal-compat')
    fs.cpSync(path.join(FIXTURE_DIR, 'datadir'), dataDir, { recursive: true })
    assert.deepEqual(new Set(payloadVersions(dataDir, 1)), new Set([FLAT_PAYLOAD_VERSION]), 'the fixture holds flat payloads')
    await start()
  })

  after(async function () {
    await client?.end()
    if (server !== undefined) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('replays the flat WAL into exactly the answers of the build that wrote it', async function () {
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx')), recorded)
  })

  it('writes the same rows as compact payloads, which answer the same live and after kill -9 and replay', async function () {
    await client.query(FIXTURE_TABLE_SQL.replace('TABLE fx', 'TABLE fx2'))
    for (const sql of fixtureInsertSql('fx2')) await client.query(sql)
    const versions = payloadVersions(dataDir, 2)
    assert.ok(versions.length > 0, 'fx2 has WAL records')
    assert.deepEqual(new Set(versions), new Set([COMPACT_PAYLOAD_VERSION]))
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx2')), recorded)
    await client.end()
    await server.kill()
    await start()
    // Rows compared as text first (a readable diff), then as the recorded digests.
    assert.deepEqual(await fixtureAnswers(client, 'fx2'), await fixtureAnswers(client, 'fx'))
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx')), recorded)
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx2')), recorded)
  })
})

describe('integration: WALs of compact payloads written before DECIMAL_PACKED still replay', function () {
  this.timeout(120000)

  it('replays the fixture into exactly the answers of the build that wrote it', async function () {
    const dataDir = makeTempDir('wal-compat-v2')
    fs.cpSync(path.join(COMPACT_V2_FIXTURE_DIR, 'datadir'), dataDir, { recursive: true })
    assert.deepEqual(new Set(payloadVersions(dataDir, 1)), new Set([COMPACT_PAYLOAD_VERSION]), 'the fixture holds compact payloads')
    const recorded = JSON.parse(fs.readFileSync(path.join(COMPACT_V2_FIXTURE_DIR, 'answers.json'), 'utf8')) as AnswerDigest[]
    const server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
    const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
    try {
      await client.connect()
      assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx')), recorded)
    } finally {
      await client.end()
      assert.equal(await server.stop(), 0, server.output())
      removeDir(dataDir)
    }
  })
})

describe('integration: a WAL main wrote before the multi-record commit replays; a commit written now replays after kill -9', function () {
  this.timeout(120000)

  it('replays main\'s records (a COMMIT as one record per table, a DELETE) into the answers main gave, then a new COMMIT', async function () {
    const dataDir = makeTempDir('wal-compat-main')
    fs.cpSync(path.join(MAIN_57EAD0B_FIXTURE_DIR, 'datadir'), dataDir, { recursive: true })
    assert.deepEqual(new Set(recordKinds(dataDir)), new Set(['IngestRecord', 'DeleteRecord']), 'the fixture holds only the old kinds')
    const recorded = JSON.parse(fs.readFileSync(path.join(MAIN_57EAD0B_FIXTURE_DIR, 'answers.json'), 'utf8')) as unknown
    const connect = async (server: ServerProcess): Promise<pg.Client> => {
      const client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
      await client.connect()
      return client
    }
    let server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
    try {
      let client = await connect(server)
      assert.deepEqual(JSON.parse(JSON.stringify(await fixtureQueryAnswers(client))), recorded)
      // The fixture's statements again, into tables of their own, by this build: its COMMIT is parts and a commit.
      for (const sql of FIXTURE_STATEMENTS) await client.query(sql.replace(/\b(ta|tb)\b/g, '$1_new'))
      assert.ok(recordKinds(dataDir).includes('CommitRecord'), 'this build wrote a commit record')
      await client.end()
      await server.kill()
      server = await startServerProcess({ dataDir, args: ['--memtable-mb', '256'] })
      client = await connect(server)
      assert.deepEqual(JSON.parse(JSON.stringify(await fixtureQueryAnswers(client))), recorded)
      const renamed = [...FIXTURE_QUERIES].map((text) => text.replace(/\b(ta|tb)\b/g, '$1_new'))
      const answers: unknown[] = []
      for (const text of renamed) answers.push((await client.query({ text, rowMode: 'array' })).rows)
      assert.deepEqual(JSON.parse(JSON.stringify(answers)), recorded)
      await client.end()
    } finally {
      assert.equal(await server.stop(), 0, server.output())
      removeDir(dataDir)
    }
  })
})
