// Goal: issue 11, step 1 — `nodedb sync nats-config` prints configurations that real nats-server 2.9 processes run
// with, and the edge's leaf node connects to the hub: a client of the hub reaches the edge's JetStream domain
// ($JS.<edge>.API through the leaf connection). Also: bad arguments exit 2 with one line. Method: the built CLI,
// Debian's nats-server, the official @nats-io client.
import assert from 'node:assert/strict'
import { connect } from '@nats-io/transport-node'
import { jetstreamManager } from '@nats-io/jetstream'
import { freePort, startNats, writeNatsConfig, type NatsProcess } from '../helpers/nats-process.js'
import { makeTempDir, removeDir, runNodedb } from '../helpers/server-process.js'

describe('issue 11: nodedb sync nats-config (real nats-server hub and edge leaf)', function () {
  this.timeout(30_000)
  let dir = ''
  const servers: NatsProcess[] = []

  beforeEach(() => { dir = makeTempDir('sync-natscfg') })
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.kill()
    removeDir(dir)
  })

  it('hub and edge configs run, and the edge leaf connects so its domain is reachable from the hub', async () => {
    const [hubPort, leafPort, edgePort] = [await freePort(), await freePort(), await freePort()]
    const hubConf = await writeNatsConfig(dir, ['--role', 'hub', '--node-id', 'cloud-1', '--client-port', String(hubPort),
      '--leaf-port', String(leafPort), '--store-dir', `${dir}/hub-store`])
    const edgeConf = await writeNatsConfig(dir, ['--role', 'edge', '--node-id', 'edge-1', '--client-port', String(edgePort),
      '--hub', `nats-leaf://127.0.0.1:${leafPort}`, '--store-dir', `${dir}/edge-store`])
    servers.push(await startNats(hubConf, hubPort), await startNats(edgeConf, edgePort))
    const nc = await connect({ servers: `127.0.0.1:${hubPort}` })
    try {
      // The leaf connects within a second or so; poll (no timed assertion) until the edge's domain answers.
      let domain: string | undefined
      for (let attempt = 0; attempt < 100 && domain === undefined; attempt++) {
        try {
          domain = (await (await jetstreamManager(nc, { domain: 'edge-1', timeout: 500 })).getAccountInfo()).domain
        } catch {
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
      }
      assert.equal(domain, 'edge-1')
      const hubInfo = await (await jetstreamManager(nc)).getAccountInfo()
      assert.equal(hubInfo.domain, 'hub')
    } finally {
      await nc.close()
    }
  })

  it('refuses a bad role, a bad node id and a bad hub URL with exit code 2', async () => {
    for (const args of [['--role', 'spoke', '--node-id', 'a'], ['--role', 'edge', '--node-id', 'a.b'],
      ['--role', 'edge', '--node-id', 'e', '--hub', 'http://x:1'], ['--role', 'hub', '--node-id', 'hub']]) {
      const result = await runNodedb(['sync', 'nats-config', ...args])
      assert.equal(result.code, 2, result.output)
      assert.match(result.output, /^nodedb: --(role|node-id|hub) /)
    }
  })

  it('refuses bad sync flags of serve with exit code 2 before opening anything', async () => {
    for (const args of [['--sync-role', 'spoke'], ['--sync-role', 'edge'], ['--sync-role', 'edge', '--node-id', 'a b'],
      ['--sync-role', 'cloud', '--node-id', 'c', '--sync-source-tag', 'none'],
      ['--sync-role', 'edge', '--node-id', 'e', '--sync-outbox-bytes', '10']]) {
      const result = await runNodedb(['serve', '--data-dir', `${dir}/never`, ...args])
      assert.equal(result.code, 2, result.output)
      assert.match(result.output, /^nodedb: --(sync-role|node-id|sync-source-tag|sync-outbox-bytes) /)
    }
  })
})
