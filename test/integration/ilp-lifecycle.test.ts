// Goal: the ILP listeners join the server's lifecycle — a port in use is one line on stderr and a non-zero exit, for
// the TCP and the HTTP port alike, and the ready line reports every bound port. Method: occupy a port with a plain
// net server, then run the real server process against it.
import assert from 'node:assert/strict'
import net from 'node:net'
import { makeTempDir, removeDir, runNodedb, startServerProcess } from '../helpers/server-process.js'

async function occupiedPort(): Promise<net.Server> {
  const blocker = net.createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()))
  return blocker
}

describe('integration: ILP listener lifecycle (issue 5)', function () {
  this.timeout(60_000)

  for (const [flag, what] of [['--ilp-port', 'ilp'], ['--http-port', 'http']] as const) {
    it(`${flag} in use: one line on stderr, exit 1, the data dir is released`, async function () {
      const blocker = await occupiedPort()
      const dataDir = makeTempDir(`ilp-busy-${what}`)
      try {
        const port = (blocker.address() as net.AddressInfo).port
        const others = ['--pg-port', '0', '--ilp-port', '0', '--http-port', '0'].flatMap((item, index, all) =>
          index % 2 === 0 && item !== flag ? [item, all[index + 1]!] : [])
        const result = await runNodedb(['serve', '--data-dir', dataDir, '--cores', '1', ...others, flag, String(port)])
        assert.equal(result.code, 1, result.output)
        const lines = result.output.split('\n').filter((line) => line.startsWith('nodedb: '))
        assert.deepEqual(lines, [`nodedb: ${what} port ${port} on 127.0.0.1 is already in use`])
        assert.doesNotMatch(result.output, /"msg":"ready"/)
        // The engine was closed on the way out: a new server takes the same data dir at once.
        const next = await startServerProcess({ dataDir })
        assert.ok(next.ilpPort > 0 && next.httpPort > 0 && next.pgPort > 0)
        assert.equal(await next.stop(), 0, next.output())
      } finally {
        await new Promise((resolve) => blocker.close(resolve))
        removeDir(dataDir)
      }
    })
  }
})
