// Goal: issue 11 — an edge ingests over ILP and SQL while the hub is down; once the hub is up every row reaches the
// cloud exactly once with its `_edge` tag; kill -9 of the edge nodedb, the edge's nats-server, the hub and the cloud
// nodedb at random points of a drain loses and doubles nothing; a full outbox refuses writes with 53100 / HTTP 507
// and accepts them again once drained. Method: real nats-server 2.9 processes (hub + leaf) with the configs
// `nodedb sync nats-config` prints, real nodedb processes, pg and raw ILP clients. The oracle is the edge itself:
// the cloud must hold exactly the edge's rows (count, distinct (series, time), sums per series).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { httpRequest, sendLineRange } from '../helpers/ilp.js'
import { randomInt } from 'node:crypto'
import { query, SyncCluster, until, useSyncCluster } from '../helpers/sync-cluster.js'

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

const OFFLINE_ROWS = 200_000

describe('issue 11: edge-to-cloud sync over NATS JetStream leaf nodes (real nats-server, real nodedb)', function () {
  this.timeout(90_000)
  const clusterOf = useSyncCluster()
  let cluster: SyncCluster
  beforeEach(() => { cluster = clusterOf() })

  it('ships rows written offline exactly once, with the _edge tag, once the hub comes up', async () => {
    const edge = await cluster.addEdge('edge-1')
    await cluster.startCloud()
    const edgePg = edge.server!.pgPort
    await query(edgePg, 'CREATE TABLE readings (ts timestamptz NOT NULL, host text, v bigint)')
    // The scale: 200,000 rows written while the hub is down.
    await sendLineRange(edge.server!.ilpPort, { from: 0, to: OFFLINE_ROWS }, 5000, (a, b) => lineChunk('cpu', a, b))
    for (let i = 0; i < 20; i++) await query(edgePg, `INSERT INTO readings VALUES (to_timestamp(${1_700_000_000 + i}), 'r${i % 3}', ${i})`)
    // A transaction over two tables: WAL parts and a commit record, shipped as one IngestRecord per table.
    await query(edgePg, 'CREATE TABLE events (ts timestamptz NOT NULL, kind text)')
    await query(edgePg, "INSERT INTO readings VALUES (to_timestamp(1700000100), 'tx', 100); INSERT INTO events VALUES (to_timestamp(1700000100), 'tx')")
    await until('the edge to hold every row', async () => Number((await query(edgePg, 'SELECT count(*) AS n FROM cpu'))[0]!.n) === OFFLINE_ROWS)
    await cluster.startHub()
    const cloudPg = cluster.cloud!.pgPort
    const expected = await summary(edgePg, 'cpu')
    await until('the cloud to hold the edge\'s rows', async () => (await summary(cloudPg, 'cpu')) === expected)
    assert.equal(await summary(cloudPg, 'cpu', "WHERE _edge = 'edge-1'"), expected)
    assert.deepEqual(await query(cloudPg, 'SELECT count(*) AS n FROM (SELECT DISTINCT host, time FROM cpu) d'), [{ n: String(OFFLINE_ROWS) }])
    // DDL on the edge: a column ILP adds later reaches the cloud before the rows that need it.
    await sendLineRange(edge.server!.ilpPort, { from: 0, to: 1 }, 1, () => Buffer.from(`cpu,host=new v=1i,extra=5i ${BASE_NS - 1000n}\n`))
    await until('the new column and its row', async () =>
      JSON.stringify(await query(cloudPg, 'SELECT host, extra, _edge FROM cpu WHERE extra IS NOT NULL')) === '[{"host":"new","extra":"5","_edge":"edge-1"}]')
    await until('the SQL rows to arrive', async () =>
      JSON.stringify(await query(cloudPg, 'SELECT host, v FROM readings ORDER BY ts')) === JSON.stringify(await query(edgePg, 'SELECT host, v FROM readings ORDER BY ts')))
    await until('the transaction\'s second table', async () =>
      JSON.stringify(await query(cloudPg, 'SELECT kind, _edge FROM events')) === '[{"kind":"tx","_edge":"edge-1"}]')
  })

  it('loses and doubles nothing through kill -9 of the edge, its nats-server, the hub and the cloud mid-drain', async () => {
    const edge = await cluster.addEdge('edge-1')
    await cluster.startHub()
    await cluster.startCloud()
    const victims = ['edge', 'edge-nats', 'hub', 'cloud', 'edge'] as const
    let next = 0
    for (const victim of victims) {
      const rows = 6000
      await sendLineRange(edge.server!.ilpPort, { from: next, to: next + rows }, 1000, (a, b) => lineChunk('cpu', a, b))
      next += rows
      // ILP over TCP has no acknowledgement: the rows count once the edge shows them (durable, applied).
      await until('the edge to show its rows', async () => Number((await query(edge.server!.pgPort, 'SELECT count(*) AS n FROM cpu'))[0]!.n) === next)
      // A random point of the drain that follows the write.
      await new Promise((resolve) => setTimeout(resolve, randomInt(0, 400)))
      if (victim === 'edge') {
        await edge.server!.kill()
        await cluster.startEdge(edge)
      } else if (victim === 'edge-nats') {
        await edge.nats.kill()
        await edge.nats.start()
      } else if (victim === 'hub') {
        await cluster.hub!.kill()
        await cluster.startHub()
      } else {
        await cluster.cloud!.kill()
        await cluster.startCloud()
      }
    }
    const expected = await summary(edge.server!.pgPort, 'cpu')
    assert.equal(JSON.parse(expected).reduce((n: number, row: { n: string }) => n + Number(row.n), 0), next)
    await until('the cloud to hold exactly the edge\'s rows', async () => (await summary(cluster.cloud!.pgPort, 'cpu')) === expected)
    assert.deepEqual(await query(cluster.cloud!.pgPort, 'SELECT count(*) AS n FROM (SELECT DISTINCT host, time FROM cpu) d'), [{ n: String(next) }])
  })

  it('refuses writes with 507 / 53100 when the outbox and the WAL budget are full, and accepts them once drained', async () => {
    const edge = await cluster.addEdge('edge-1', ['--sync-outbox-bytes', '1MiB', '--sync-wal-bytes', '2MiB'])
    await cluster.startCloud()
    const body = (from: number): Buffer => lineChunk('cpu', from, from + 2000)
    let sent = 0
    let refused: { status: number; body: string } | undefined
    for (let attempt = 0; attempt < 400 && refused === undefined; attempt++) {
      const answer = await httpRequest(edge.server!.httpPort, { method: 'POST', path: '/write', body: body(sent) })
      if (answer.status === 204) sent += 2000
      else if (answer.status === 507) refused = answer
      else assert.fail(`unexpected ${answer.status}: ${answer.body}`)
      // The backlog is measured every 100 ms; give it a turn so the loop ends soon after the budget is passed.
      if (attempt % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 120))
    }
    assert.ok(refused !== undefined, 'the edge never refused')
    assert.match(refused.body, /sync backlog/)
    await assert.rejects(query(edge.server!.pgPort, `INSERT INTO cpu (time, host, v) VALUES (now(), 'x', 1)`), { code: '53100' })
    await cluster.startHub()
    const edgeSummary = await summary(edge.server!.pgPort, 'cpu')
    await until('the cloud to drain the outbox', async () => (await summary(cluster.cloud!.pgPort, 'cpu')) === edgeSummary)
    await until('the edge to accept writes again', async () =>
      (await httpRequest(edge.server!.httpPort, { method: 'POST', path: '/write', body: body(sent) })).status === 204)
    sent += 2000
    const after = await summary(edge.server!.pgPort, 'cpu')
    assert.equal(JSON.parse(after).reduce((n: number, row: { n: string }) => n + Number(row.n), 0), sent)
    await until('the cloud to hold the later rows too', async () => (await summary(cluster.cloud!.pgPort, 'cpu')) === after)
  })

  it('keeps two edges apart by _edge; a wiped edge is a new incarnation; a lost edge store; nothing doubles', async () => {
    await cluster.startHub()
    await cluster.startCloud()
    const [one, two] = [await cluster.addEdge('edge-1'), await cluster.addEdge('edge-2')]
    for (const edge of [one, two]) await sendLineRange(edge.server!.ilpPort, { from: 0, to: 3000 }, 1000, (a, b) => lineChunk('cpu', a, b))
    const perEdge = `SELECT _edge, count(*) AS n, sum(v) AS s FROM cpu GROUP BY _edge ORDER BY _edge`
    const one3000 = { n: '3000', s: String((2999 * 3000) / 2) }
    await until('both edges in the cloud', async () => JSON.stringify(await query(cluster.cloud!.pgPort, perEdge)) ===
      JSON.stringify([{ _edge: 'edge-1', ...one3000 }, { _edge: 'edge-2', ...one3000 }]))
    await two.server!.kill()
    fs.rmSync(two.dataDir, { recursive: true, force: true })
    await cluster.startEdge(two)
    await sendLineRange(two.server!.ilpPort, { from: 3000, to: 4000 }, 1000, (a, b) => lineChunk('cpu', a, b))
    await until('the new incarnation\'s rows in the cloud', async () => JSON.stringify(await query(cluster.cloud!.pgPort, perEdge)) ===
      JSON.stringify([{ _edge: 'edge-1', ...one3000 }, { _edge: 'edge-2', n: '4000', s: String((3999 * 4000) / 2) }]))
    // The edge's JetStream store lost: the stream starts empty, the WAL is shipped again and deduplicated.
    await one.nats.kill()
    fs.rmSync(`${cluster.dir}/edge-1-store`, { recursive: true, force: true })
    await one.nats.start()
    await sendLineRange(one.server!.ilpPort, { from: 3000, to: 4000 }, 1000, (a, b) => lineChunk('cpu', a, b))
    const both4000 = { n: '4000', s: String((3999 * 4000) / 2) }
    await until('edge-1\'s later rows after its store was lost', async () => JSON.stringify(await query(cluster.cloud!.pgPort, perEdge)) ===
      JSON.stringify([{ _edge: 'edge-1', ...both4000 }, { _edge: 'edge-2', ...both4000 }]))
    assert.deepEqual(await query(cluster.cloud!.pgPort, 'SELECT count(*) AS n FROM (SELECT DISTINCT _edge, host, time FROM cpu) d'), [{ n: '8000' }])
  })
})
