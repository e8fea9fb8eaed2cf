// Goal: issue 11 — an edge ingests over ILP and SQL while the hub is down; once the hub is up every row reaches the
// cloud exactly once with its `_edge` tag; kill -9 of the edge nodedb, the edge's nats-server, the hub and the cloud
// nodedb at random points of a drain loses and doubles nothing; a full outbox refuses writes with 53100 / HTTP 507
// and accepts them again once drained. Method: real nats-server 2.9 processes (hub + leaf) with the configs
// `nodedb sync nats-config` prints, real nodedb processes, pg and raw ILP clients. The oracle is the edge itself:
// the cloud must hold exactly the edge's rows (count, distinct (series, time), sums per series).
import assert from 'node:assert/strict'
import { sendLineRange } from '../helpers/ilp.js'
import { query, SyncCluster, until } from '../helpers/sync-cluster.js'

const BASE_NS = 1_700_000_000_000_000_000n

function lineChunk(table: string, from: number, to: number): Buffer {
  const lines: string[] = []
  for (let i = from; i < to; i++) lines.push(`${table},host=h${i % 7} v=${i}i,f=${i * 0.5} ${BASE_NS + BigInt(i) * 1000n}`)
  return Buffer.from(`${lines.join('\n')}\n`)
}

const SUMMARY = (table: string, where = ''): string =>
  `SELECT host, count(*) AS n, sum(v) AS s FROM ${table} ${where} GROUP BY host ORDER BY host`

async function summary(port: number, table: string, where = ''): Promise<string> {
  return JSON.stringify(await query(port, SUMMARY(table, where)))
}

describe('issue 11: edge-to-cloud sync over NATS JetStream leaf nodes (real nats-server, real nodedb)', function () {
  this.timeout(120_000)
  let cluster: SyncCluster

  beforeEach(async () => {
    cluster = new SyncCluster()
    await cluster.init()
  })
  afterEach(async () => { await cluster.close() })

  it('ships rows written offline exactly once, with the _edge tag, once the hub comes up', async () => {
    const edge = await cluster.addEdge('edge-1')
    await cluster.startCloud()
    const edgePg = edge.server!.pgPort
    await query(edgePg, 'CREATE TABLE readings (ts timestamptz NOT NULL, host text, v bigint)')
    await sendLineRange(edge.server!.ilpPort, { from: 0, to: 20_000 }, 1000, (a, b) => lineChunk('cpu', a, b))
    for (let i = 0; i < 20; i++) await query(edgePg, `INSERT INTO readings VALUES (to_timestamp(${1_700_000_000 + i}), 'r${i % 3}', ${i})`)
    await until('the edge to hold every row', async () => Number((await query(edgePg, 'SELECT count(*) AS n FROM cpu'))[0]!.n) === 20_000)
    await cluster.startHub()
    const cloudPg = cluster.cloud!.pgPort
    const expected = await summary(edgePg, 'cpu')
    await until('the cloud to hold the edge\'s rows', async () => (await summary(cloudPg, 'cpu')) === expected)
    assert.equal(await summary(cloudPg, 'cpu', "WHERE _edge = 'edge-1'"), expected)
    assert.deepEqual(await query(cloudPg, 'SELECT count(*) AS n FROM (SELECT DISTINCT host, time FROM cpu) d'), [{ n: '20000' }])
    await until('the SQL rows to arrive', async () =>
      JSON.stringify(await query(cloudPg, 'SELECT host, v FROM readings ORDER BY ts')) === JSON.stringify(await query(edgePg, 'SELECT host, v FROM readings ORDER BY ts')))
  })
})
