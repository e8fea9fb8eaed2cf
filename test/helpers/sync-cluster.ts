// test/helpers/sync-cluster: a hub nats-server, edge nats-server leaf nodes and nodedb processes (edges and a cloud)
// wired as README's sync walkthrough does, for the sync tests (issue 11). Every process is real and can be killed.
import pg from 'pg'
import { freePort, startNats, writeNatsConfig, type NatsProcess } from './nats-process.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from './server-process.js'

export interface EdgeNode {
  readonly nodeId: string
  readonly nats: NatsProcess
  readonly dataDir: string
  server: ServerProcess | undefined
  readonly args: ReadonlyArray<string>
}

export class SyncCluster {
  readonly dir = makeTempDir('sync')
  hub: NatsProcess | undefined
  private hubConf = ''
  private hubPort = 0
  private leafPort = 0
  readonly edges: EdgeNode[] = []
  cloud: ServerProcess | undefined
  private readonly cloudDir = `${this.dir}/cloud-data`

  async init(): Promise<void> {
    this.hubPort = await freePort()
    this.leafPort = await freePort()
    this.hubConf = await writeNatsConfig(this.dir, ['--role', 'hub', '--node-id', 'cloud-1', '--client-port', String(this.hubPort),
      '--leaf-port', String(this.leafPort), '--store-dir', `${this.dir}/hub-store`])
  }

  async startHub(): Promise<void> {
    if (this.hub === undefined) this.hub = await startNats(this.hubConf, this.hubPort)
    else await this.hub.start()
  }

  /** Starts an edge's nats-server (a leaf of the hub, which may be down) and its nodedb. */
  async addEdge(nodeId: string, args: ReadonlyArray<string> = []): Promise<EdgeNode> {
    const port = await freePort()
    const conf = await writeNatsConfig(this.dir, ['--role', 'edge', '--node-id', nodeId, '--client-port', String(port),
      '--hub', `nats-leaf://127.0.0.1:${this.leafPort}`, '--store-dir', `${this.dir}/${nodeId}-store`])
    const nats = await startNats(conf, port)
    const edge: EdgeNode = { nodeId, nats, dataDir: `${this.dir}/${nodeId}-data`, server: undefined,
      args: ['--node-id', nodeId, '--sync-role', 'edge', '--sync-nats', nats.url, ...args] }
    this.edges.push(edge)
    await this.startEdge(edge)
    return edge
  }

  async startEdge(edge: EdgeNode): Promise<void> {
    edge.server = await startServerProcess({ dataDir: edge.dataDir, args: edge.args })
  }

  async startCloud(): Promise<void> {
    this.cloud = await startServerProcess({ dataDir: this.cloudDir,
      args: ['--node-id', 'cloud-1', '--sync-role', 'cloud', '--sync-nats', `nats://127.0.0.1:${this.hubPort}`] })
  }

  /** The tail of every process's output, for a failed test's report. */
  logs(): string {
    const tail = (name: string, text: string | undefined): string => `--- ${name}\n${(text ?? '').split('\n').slice(-40).join('\n')}`
    return [tail('cloud', this.cloud?.output()), ...this.edges.map((edge) => tail(edge.nodeId, edge.server?.output())),
      tail('hub', this.hub?.output().slice(-3000))].join('\n')
  }

  async close(): Promise<void> {
    await this.cloud?.kill()
    for (const edge of this.edges) {
      await edge.server?.kill()
      await edge.nats.kill()
    }
    await this.hub?.kill()
    removeDir(this.dir)
  }
}

/** Runs one query on a fresh connection (servers restart between queries in these tests). */
export async function query(port: number, text: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'sync', database: 'sync' })
  await client.connect()
  try {
    return (await client.query(text)).rows as Array<Record<string, unknown>>
  } finally {
    await client.end()
  }
}

/** Polls until `check` is true; fails naming `what` after `attempts` × 100 ms (a liveness bound, not a timing claim). */
export async function until(what: string, check: () => Promise<boolean>, attempts = 600): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/**
 * Mocha hooks for a suite of sync tests: a fresh SyncCluster per test (returned through the getter), its processes'
 * logs printed when a test fails, everything stopped after each.
 */
export function useSyncCluster(): () => SyncCluster {
  let cluster: SyncCluster | null = null
  beforeEach(async () => {
    cluster = new SyncCluster()
    await cluster.init()
  })
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`${cluster?.logs() ?? ''}\n`)
    await cluster?.close()
  })
  return () => cluster!
}
