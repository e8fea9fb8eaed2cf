// Goal: issue 11's nodedb_sync system table and the sync rows of SHOW nodedb_status — empty without --sync-role; on
// an edge its chain's lag grows while the hub is down and returns to 0 once the cloud has drained it; on the cloud one
// row per edge incarnation; a type conflict holds the edge's stream and shows as 'held' with its error. Method: real
// nats-server 2.9 processes (hub + leaf, configs from `nodedb sync nats-config`), real nodedb processes, pg and ILP
// over TCP. Values are read with plain SQL; the expected LSNs come from the other node's own row (no hard-coded lag).
import assert from 'node:assert/strict'
import { sendLineRange } from '../helpers/ilp.js'
import { makeTempDir, removeDir, startServerProcess } from '../helpers/server-process.js'
import { query, SyncCluster, until, useSyncCluster } from '../helpers/sync-cluster.js'
import { connect, headers } from '@nats-io/transport-node'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { catalogSubject, HEADER_KIND, HEADER_LSN, HEADER_PREV_LSN, HEADER_SOURCE, SYNC_STREAM } from '../../engine/sync/protocol.js'

const BASE_NS = 1_700_000_000_000_000_000n

function lineChunk(from: number, to: number): Buffer {
  const lines: string[] = []
  for (let i = from; i < to; i++) lines.push(`cpu,host=h${i % 5} v=${i}i ${BASE_NS + BigInt(i) * 1000n}`)
  return Buffer.from(`${lines.join('\n')}\n`)
}

type Row = Record<string, unknown>

async function syncRows(port: number): Promise<Row[]> {
  return query(port, 'SELECT * FROM nodedb_sync ORDER BY node_id, incarnation')
}

async function statusOf(port: number): Promise<Map<string, string>> {
  return new Map((await query(port, 'SHOW nodedb_status')).map((row) => [String(row.name), String(row.value)]))
}

describe('issue 11: nodedb_sync and SHOW nodedb_status (real nats-server, real nodedb)', function () {
  this.timeout(90_000)
  const clusterOf = useSyncCluster()
  let cluster: SyncCluster
  beforeEach(() => { cluster = clusterOf() })

  it('exists and is empty without --sync-role', async () => {
    const dir = makeTempDir('nosync')
    const server = await startServerProcess({ dataDir: `${dir}/data` })
    try {
      const result = await query(server.pgPort, 'SELECT * FROM nodedb_sync')
      assert.deepEqual(result, [])
      const columns = await query(server.pgPort, "SELECT attname FROM pg_attribute WHERE attrelid = 'nodedb_sync'::regclass AND attnum > 0 ORDER BY attnum")
      assert.deepEqual(columns.map((row) => row.attname), ['role', 'node_id', 'incarnation', 'chain', 'shipped_lsn', 'applied_lsn',
        'acked_lsn', 'lag_records', 'lag_seconds', 'gaps_held', 'duplicates_skipped', 'writes_refused', 'state', 'last_error', 'last_error_at'])
      assert.equal((await statusOf(server.pgPort)).get('sync_role'), '')
    } finally {
      await server.kill()
      removeDir(dir)
    }
  })

  it('on the edge, lag grows while the hub is down and returns to 0 after the drain; the cloud shows the edge', async () => {
    const edge = await cluster.addEdge('edge-1')
    await cluster.startCloud()
    const edgePg = edge.server!.pgPort
    await sendLineRange(edge.server!.ilpPort, { from: 0, to: 3000 }, 1000, lineChunk)
    await until('the edge to hold its rows', async () => Number((await query(edgePg, 'SELECT count(*) AS n FROM cpu'))[0]!.n) === 3000)
    const [first] = await syncRows(edgePg)
    assert.equal(first!.role, 'edge')
    assert.equal(first!.node_id, 'edge-1')
    assert.equal(first!.chain, 'wal')
    assert.equal(first!.state, 'offline')
    assert.ok(Number(first!.lag_records) > 0, `lag while the hub is down: ${JSON.stringify(first)}`)
    assert.equal(first!.lag_records, String(Number(first!.applied_lsn) - Number(first!.acked_lsn)))
    // More rows while offline: the lag in records and in seconds both grow.
    await sendLineRange(edge.server!.ilpPort, { from: 3000, to: 6000 }, 1000, lineChunk)
    await until('the lag to grow', async () => {
      const [now] = await syncRows(edgePg)
      return Number(now!.lag_records) > Number(first!.lag_records) && Number(now!.lag_seconds) > Number(first!.lag_seconds)
    })
    await cluster.startHub()
    await until('the edge to be caught up', async () => {
      const [now] = await syncRows(edgePg)
      return now!.state === 'connected' && now!.lag_records === '0' && now!.lag_seconds === 0 && now!.acked_lsn === now!.applied_lsn
    })
    const [edgeRow] = await syncRows(edgePg)
    const cloudPg = cluster.cloud!.pgPort
    await until('the cloud row to show the edge applied and caught up', async () => {
      const rows = await syncRows(cloudPg)
      return rows.length === 1 && rows[0]!.applied_lsn === edgeRow!.applied_lsn && rows[0]!.lag_records === '0' && rows[0]!.state === 'connected'
    })
    const [cloudRow] = await syncRows(cloudPg)
    assert.equal(cloudRow!.role, 'cloud')
    assert.equal(cloudRow!.node_id, 'edge-1')
    assert.equal(cloudRow!.incarnation, edgeRow!.incarnation)
    assert.equal(cloudRow!.gaps_held, '0')
    const edgeStatus = await statusOf(edgePg)
    assert.equal(edgeStatus.get('sync_role'), 'edge')
    assert.equal(edgeStatus.get('sync_writes'), 'accepted')
    assert.match(edgeStatus.get(`sync_edge-1_${String(edgeRow!.incarnation)}`) ?? '', /^connected, 0 records, 0\.0 s behind/)
    assert.equal((await statusOf(cloudPg)).get('sync_role'), 'cloud')
  })

  it('a type conflict holds the edge on the cloud and shows there as held, with its error', async () => {
    await cluster.startHub()
    await cluster.startCloud()
    const cloudPg = cluster.cloud!.pgPort
    await query(cloudPg, 'CREATE TABLE cpu (time timestamptz NOT NULL, host text, v text)')
    const edge = await cluster.addEdge('edge-1')
    await sendLineRange(edge.server!.ilpPort, { from: 0, to: 100 }, 100, lineChunk)
    await until('the cloud to hold the edge', async () => {
      const rows = await syncRows(cloudPg)
      return rows.length === 1 && rows[0]!.state === 'held' && /column "v" of table "cpu"/.test(String(rows[0]!.last_error))
    })
    const [row] = await syncRows(cloudPg)
    assert.ok(row!.last_error_at instanceof Date, 'the time of the error is shown')
    assert.equal(row!.applied_lsn, '0', 'nothing of the held table was applied')
    assert.match((await statusOf(cloudPg)).get(`sync_edge-1_${String(row!.incarnation)}`) ?? '', /^held, .*column "v"/)
    assert.deepEqual(await query(cloudPg, 'SELECT count(*) AS n FROM cpu'), [{ n: '0' }])
  })
})

describe('issue 11: a stalled edge nats-server mid-drain (real nats-server, real nodedb)', function () {
  this.timeout(120_000)
  let cluster: SyncCluster

  beforeEach(async () => {
    cluster = new SyncCluster()
    await cluster.init()
  })
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`${cluster.logs()}\n`)
    for (const edge of cluster.edges) edge.nats.pause(false)
    await cluster.close()
  })

  it('drains every small record exactly once after fetches fail mid-way (the applier rewinds to its ack floor)', async () => {
    await cluster.startCloud()
    const edge = await cluster.addEdge('edge-1')
    const edgePg = edge.server!.pgPort
    await query(edgePg, 'CREATE TABLE small (ts timestamptz NOT NULL, host text, v bigint)')
    // Many small records (one per INSERT), written offline.
    for (let writer = 0; writer < 4; writer++) {
      const values = Array.from({ length: 300 }, (_, i) => `(to_timestamp(${1_700_000_000 + writer * 1000 + i}), 'h${i % 3}', ${i})`)
      await Promise.all(Array.from({ length: 3 }, (_, part) => (async () => {
        for (const value of values.slice(part * 100, part * 100 + 100)) await query(edgePg, `INSERT INTO small VALUES ${value}`)
      })()))
    }
    await cluster.startHub()
    await until('the drain to start', async () => Number((await query(cluster.cloud!.pgPort, 'SELECT count(*) AS n FROM small'))[0]!.n) > 0)
    // Stall the edge's server a few times mid-drain: the cloud's fetches fail ("heartbeats missed") with records taken.
    for (let round = 0; round < 3; round++) {
      edge.nats.pause(true)
      await new Promise((resolve) => setTimeout(resolve, 2500))
      edge.nats.pause(false)
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    const expected = JSON.stringify(await query(edgePg, 'SELECT host, count(*) AS n, sum(v) AS s FROM small GROUP BY host ORDER BY host'))
    await until('the cloud to hold exactly the edge\'s rows', async () =>
      JSON.stringify(await query(cluster.cloud!.pgPort, 'SELECT host, count(*) AS n, sum(v) AS s FROM small GROUP BY host ORDER BY host')) === expected)
    assert.deepEqual(await query(cluster.cloud!.pgPort, 'SELECT count(*) AS n FROM (SELECT DISTINCT host, ts FROM small) d'), [{ n: '1200' }])
    const [edgeRow] = await syncRows(edgePg)
    await until('the cloud row to be caught up', async () => {
      const [row] = await syncRows(cluster.cloud!.pgPort)
      return row!.applied_lsn === edgeRow!.applied_lsn && row!.state === 'connected'
    })
    assert.match(cluster.cloud!.output(), /delivery restarts at the last message acknowledged/, 'the stalls made fetches fail')
  })

  it('a catalog message after a record the cloud never applied is a held gap: acknowledging it would acknowledge the lost record too', async () => {
    await cluster.startHub()
    await cluster.startCloud()
    const edge = await cluster.addEdge('edge-1')
    await sendLineRange(edge.server!.ilpPort, { from: 0, to: 100 }, 100, lineChunk)
    const cloudPg = cluster.cloud!.pgPort
    await until('the cloud to apply the edge\'s rows', async () => {
      const rows = await syncRows(cloudPg)
      return rows.length === 1 && rows[0]!.state === 'connected' && Number(rows[0]!.applied_lsn) > 0 && rows[0]!.lag_records === '0'
    })
    const [before] = await syncRows(cloudPg)
    const applied = Number(before!.applied_lsn)
    // What a fetch that lost record applied+1 would show next: the schema message the edge sends ahead of record
    // applied+2 (chained after applied+1), then that record. Published on the edge's own stream as the edge does.
    const nc = await connect({ servers: edge.nats.url })
    try {
      const jsm = await jetstreamManager(nc)
      const schema = await jsm.streams.getMessage(SYNC_STREAM, { last_by_subj: catalogSubject('edge-1', 1) })
      assert.ok(schema !== null, 'the edge shipped the schema of its first table')
      const h = headers()
      for (const name of [HEADER_SOURCE, HEADER_KIND]) h.set(name, schema.header.get(name))
      h.set(HEADER_LSN, String(applied + 2))
      h.set(HEADER_PREV_LSN, String(applied + 1))
      await jetstream(nc).publish(catalogSubject('edge-1', 1), schema.data, { headers: h })
    } finally {
      await nc.close()
    }
    await until('the cloud to hold the gap', async () => {
      const rows = await syncRows(cloudPg)
      return rows.length === 1 && rows[0]!.state === 'held' && Number(rows[0]!.gaps_held) > 0
    })
    assert.equal((await syncRows(cloudPg))[0]!.applied_lsn, String(applied))
  })
})
