// Goal: a data directory written before segment format v2 opens and answers exactly as the build that wrote it did,
// and the same rows written by this build (v2 segments: Huffman-coded decimal floats, run-length timestamps) give
// the same answers too. Method: test/fixtures/segments-v1 holds the data directory a v1 build (cfb03be) left after
// CHECKPOINT and the digest of that build's answers (test/helpers/segment-fixture.ts made both; the recorded answers
// are the oracle, as the old build is not in the tree); a copy is served by this build through its launcher and
// queried with node-postgres in text mode; the segment headers' versions show which format each table was read from.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { SEGMENT_FORMAT_VERSION } from '../../engine/timeseries/segment-format.js'
import {
  FIXTURE_TABLE_SQL, digestAnswers, fixtureAnswers, fixtureInsertSql, type AnswerDigest,
} from '../helpers/segment-fixture.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const FIXTURE_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'segments-v1')

/** The format version in the header of every segment file the manifest lists for `tableId`. */
function segmentVersions(dataDir: string, tableId: number): number[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dataDir, 'manifest.json'), 'utf8')) as {
    segments: Array<{ tableId: number; file: string }>
  }
  return manifest.segments.filter((segment) => segment.tableId === tableId).map((segment) => {
    const header = fs.readFileSync(path.join(dataDir, 'segments', path.basename(segment.file)))
    return header.readUInt32LE(8)
  })
}

describe('integration: segment format v1 data directories stay readable', function () {
  this.timeout(120000)
  let server: ServerProcess
  let dataDir: string
  let client: pg.Client
  const recorded = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'answers.json'), 'utf8')) as AnswerDigest[]

  before(async function () {
    dataDir = makeTempDir('segment-compat')
    fs.cpSync(path.join(FIXTURE_DIR, 'datadir'), dataDir, { recursive: true })
    server = await startServerProcess({ dataDir })
    client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
    await client.connect()
  })

  after(async function () {
    await client?.end()
    if (server !== undefined) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })

  it('answers from the v1 segments exactly as the v1 build did', async function () {
    assert.ok(segmentVersions(dataDir, 1).length > 0, 'the fixture lists segments of table fx')
    assert.deepEqual(new Set(segmentVersions(dataDir, 1)), new Set([1]))
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx')), recorded)
  })

  it('writes the same rows as v2 segments that answer the same', async function () {
    await client.query(FIXTURE_TABLE_SQL.replace('TABLE fx', 'TABLE fx2'))
    for (const sql of fixtureInsertSql('fx2')) {
      await client.query(sql)
      await client.query('CHECKPOINT')
    }
    assert.deepEqual(new Set(segmentVersions(dataDir, 2)), new Set([SEGMENT_FORMAT_VERSION]))
    // Rows compared as text first (a readable diff), then as the recorded digests.
    assert.deepEqual(await fixtureAnswers(client, 'fx2'), await fixtureAnswers(client, 'fx'))
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx2')), recorded)
  })

  it('still answers the same after a restart reads both formats from disk again', async function () {
    await client.end()
    assert.equal(await server.stop(), 0, server.output())
    server = await startServerProcess({ dataDir })
    client = new pg.Client({ host: '127.0.0.1', port: server.pgPort, user: 'postgres', database: 'postgres' })
    await client.connect()
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx')), recorded)
    assert.deepEqual(digestAnswers(await fixtureAnswers(client, 'fx2')), recorded)
  })
})
