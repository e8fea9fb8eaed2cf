// Goal: the ILP TCP listener's run buffers (4 MiB + a line each, wire/ilp/ingest-buffers.ts) stay bounded after
// ingest: once every run was written and the isolate collected, at most ILP_INGEST_BUFFERS_KEPT_COUNT are still
// referenced — runs kept for a reparse (run-reparse.ts) and those handed back are all released, none held by a
// result, a promise or a connection. Method: a real server in this process (real engine, parse pool, sockets),
// several connections streaming runs at once; every buffer the pool is given back is watched through a WeakRef and
// counted after forced full GCs (v8 flag + a gc function from a fresh context).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { ILP_INGEST_BUFFERS_KEPT_COUNT, ILP_TCP_POOL_RUN_BYTES } from '../../../../src/common/limits.js'
import { startServer, type RunningServer } from '../../../../src/server.js'
import { IngestBufferPool } from '../../../../wire/ilp/ingest-buffers.js'

async function send(port: number, lines: ReadonlyArray<string>): Promise<void> {
  const socket = net.connect(port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  for (let at = 0; at < lines.length; at += 2_000) {
    if (!socket.write(lines.slice(at, at + 2_000).join(''))) await new Promise((resolve) => socket.once('drain', resolve))
  }
  const closed = new Promise((resolve) => socket.once('close', resolve))
  socket.end()
  socket.resume()
  await closed
}

async function collect(): Promise<void> {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  for (let i = 0; i < 3; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('wire/ilp: TCP run buffers after ingest', function () {
  this.timeout(120_000)
  let dir = ''
  let server: RunningServer | null = null
  const give = IngestBufferPool.prototype.give // eslint-disable-line @typescript-eslint/unbound-method
  afterEach(async () => {
    IngestBufferPool.prototype.give = give
    await server?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it(`keeps at most ${ILP_INGEST_BUFFERS_KEPT_COUNT} referenced, however many connections streamed runs at once`, async function () {
    const watched: Array<WeakRef<ArrayBufferLike>> = []
    IngestBufferPool.prototype.give = function (this: IngestBufferPool, view: Uint8Array) {
      if (view.buffer.byteLength === this.bufferBytes) watched.push(new WeakRef(view.buffer))
      give.call(this, view)
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-runbuf-'))
    server = await startServer({
      dataDir: dir, host: '127.0.0.1', pgPort: 0, ilpPort: 0, httpPort: 0, httpToken: null, coreCount: 2, memtableMb: 64,
      chunkCacheMb: 16, fsync: 'off', diskReserveMb: 0,
    })
    const line = (i: number): string => `cpu,host=h${i % 50},dc=d${i % 3} usage=${i}.25,idle=${i % 97}.5,note="${'x'.repeat(120)}" ${1.7e18 + i * 1e6}\n`
    const connections = 6
    const perConnection = Math.ceil((2.5 * ILP_TCP_POOL_RUN_BYTES) / line(0).length) // two runs each and a tail
    await Promise.all(Array.from({ length: connections }, (_, c) =>
      send(server!.ilpPort, Array.from({ length: perConnection }, (_, i) => line(c * perConnection + i)))))
    // The last runs are written shortly after their sockets closed: wait until every given-back buffer is counted.
    for (let waited = 0; watched.length < connections * 2 && waited < 200; waited++) await new Promise((resolve) => setTimeout(resolve, 50))
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    assert.ok(watched.length >= connections * 2, `expected runs through the pool, saw ${watched.length}`)
    await collect()
    const alive = new Set(watched.map((ref) => ref.deref()).filter((buffer) => buffer !== undefined))
    assert.ok(alive.size <= ILP_INGEST_BUFFERS_KEPT_COUNT, `${alive.size} run buffers still referenced`)
    // Every connection closed: the listener keeps none (issue 10: RSS after a load; main's kept four).
    assert.equal(watched.filter((ref) => (ref.deref()?.byteLength ?? 0) > 0).length, 0, 'run buffers kept with no connection open')
  })
})
