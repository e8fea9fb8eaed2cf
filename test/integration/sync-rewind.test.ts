// Goal: issue 11 — an edge whose backlog is over --sync-wal-bytes learns that the cloud has acknowledged everything
// even when the cloud's consumer was recreated ("rewound") after its last acknowledgement. A rewound consumer starts
// with ack floor 0 and, with nothing left to deliver, would keep it there: an edge that restarts then (its
// acknowledged LSN starts at 0, so its whole WAL counts as backlog) refused every write forever. Method: real
// nats-server processes (hub + leaf), real nodedb edge and cloud, HTTP ILP writes; the rewind is forced by stalling
// the edge's nats-server (SIGSTOP) while the edge's nodedb is down.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { httpRequest } from '../helpers/ilp.js'
import { query, SyncCluster, until, useSyncCluster } from '../helpers/sync-cluster.js'

const BASE_NS = 1_700_000_000_000_000_000n

function body(from: number, count: number): Buffer {
  const lines: string[] = []
  for (let i = from; i < from + count; i++) lines.push(`cpu,host=h${i % 5} v=${i}i ${BASE_NS + BigInt(i) * 1000n}`)
  return Buffer.from(`${lines.join('\n')}\n`)
}

function walBytes(dataDir: string): number {
  const dir = path.join(dataDir, 'wal')
  return fs.readdirSync(dir).reduce((sum, name) => sum + fs.statSync(path.join(dir, name)).size, 0)
}

async function rowCount(port: number): Promise<number> {
  return Number((await query(port, 'SELECT count(*) AS n FROM cpu'))[0]!.n)
}

describe('issue 11: an edge over its WAL budget after the cloud rewound its consumer (real nats-server, real nodedb)', function () {
  this.timeout(120_000)
  const clusterOf = useSyncCluster()
  let cluster: SyncCluster
  beforeEach(() => { cluster = clusterOf() })

  it('accepts writes again once the cloud holds every row, though the consumer was recreated after its last ack', async () => {
    const edge = await cluster.addEdge('edge-1', ['--sync-wal-bytes', '1MiB'])
    await cluster.startHub()
    await cluster.startCloud()
    let sent = 0
    // Batches, each accepted once the backlog before it has drained, until the WAL is well past the budget.
    while (walBytes(edge.dataDir) < 1.5 * 1024 * 1024) {
      await until('the edge to accept a batch', async () =>
        (await httpRequest(edge.server!.httpPort, { method: 'POST', path: '/write', body: body(sent, 5000) })).status === 204)
      sent += 5000
    }
    await until('the cloud to hold every row', async () => (await rowCount(cluster.cloud!.pgPort)) === sent)
    await edge.server!.kill()
    // Stalling the edge's nats-server makes the cloud's fetches fail ("heartbeats missed"): it recreates its consumer.
    const rewinds = (): number => (cluster.cloud!.output().match(/delivery restarts at the last message acknowledged/g) ?? []).length
    const rewindsBefore = rewinds()
    for (let round = 0; round < 10 && rewinds() === rewindsBefore; round++) {
      edge.nats.pause(true)
      await new Promise((resolve) => setTimeout(resolve, 2500))
      edge.nats.pause(false)
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
    await until('the cloud to recreate its consumer', async () => rewinds() > rewindsBefore)
    await cluster.startEdge(edge)
    assert.equal(await rowCount(edge.server!.pgPort), sent)
    await until('the restarted edge to accept writes', async () =>
      (await httpRequest(edge.server!.httpPort, { method: 'POST', path: '/write', body: body(sent, 10) })).status === 204)
    sent += 10
    await until('the cloud to hold the later rows', async () => (await rowCount(cluster.cloud!.pgPort)) === sent)
  })
})
