// Goal: the server started as users start it (bin/nodedb) loads the malloc-trim addon, trims after an ILP load that
// freed memory, stays exact, and NODEDB_MALLOC_TRIM=0 turns the trimmer off. Method: the built CLI as a child
// process with debug logging, ILP over HTTP, counts over SQL, the addon found in /proc/PID/maps.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import { MALLOC_TRIM_ADDON_PATH } from '../../src/common/malloc-trim.js'
import { httpRequest, SqlReader } from '../helpers/ilp.js'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from '../helpers/server-process.js'

const LINES = 200_000
const LINES_PER_BODY = 5_000

function body(from: number): string {
  let text = ''
  for (let i = from; i < from + LINES_PER_BODY; i++) {
    text += `trim,host=h${i % 100},dc=dc${i % 3} v=${i}i,f=${i % 1000}.5 ${1_700_000_000_000_000_000 + i * 1000}\n`
  }
  return text
}

async function waitForOutput(server: ServerProcess, pattern: RegExp): Promise<void> {
  while (!pattern.test(server.output())) await new Promise((resolve) => setTimeout(resolve, 100))
}

function trimCount(server: ServerProcess): number {
  return server.output().split('\n').filter((line) => line.includes('"msg":"malloc trim"')).length
}

describe('integration: malloc trim in the server (issue 10)', function () {
  this.timeout(60_000)
  const dirs: string[] = []
  after(function () {
    for (const dir of dirs) removeDir(dir)
  })

  before(function () {
    // The addon is optional; where no compiler built it there is nothing to test (test/unit/src/malloc-trim.test.ts
    // fails instead wherever a compiler exists and the build did not produce it).
    if (!fs.existsSync(MALLOC_TRIM_ADDON_PATH)) this.skip()
  })

  it('trims after an ILP load and every row is there', async function () {
    const dataDir = makeTempDir('malloc-trim')
    dirs.push(dataDir)
    const server = await startServerProcess({ dataDir, env: { NODEDB_LOG_LEVEL: 'debug' } })
    const sql = new SqlReader(server.pgPort)
    try {
      await sql.connect()
      await waitForOutput(server, /"msg":"malloc trim on"/) // logged just after `ready`
      assert.ok(fs.readFileSync(`/proc/${server.child.pid}/maps`, 'utf8').includes('malloc-trim.node'))
      // The first check trims what start-up freed; wait for it, so the trim awaited below is the load's.
      await waitForOutput(server, /"msg":"malloc trim"/)
      const trimsBefore = trimCount(server)
      for (let from = 0; from < LINES; from += LINES_PER_BODY) {
        const answer = await httpRequest(server.httpPort, { method: 'POST', path: '/api/v2/write?precision=ns', body: body(from) })
        assert.equal(answer.status, 204, answer.body)
      }
      // Once the load is over the allocator goes quiet with the load's freed buffers to give back: a trim.
      while (trimCount(server) === trimsBefore) await new Promise((resolve) => setTimeout(resolve, 100))
      assert.equal(Number(await sql.scalar('SELECT count(*) FROM trim')), LINES)
      assert.equal(Number(await sql.scalar('SELECT sum(v) FROM trim')), (LINES - 1) * LINES / 2)
    } finally {
      await sql.end()
      assert.equal(await server.stop(), 0, server.output())
    }
  })

  it('NODEDB_MALLOC_TRIM=0 leaves the trimmer off', async function () {
    const dataDir = makeTempDir('malloc-trim-off')
    dirs.push(dataDir)
    const server = await startServerProcess({ dataDir, env: { NODEDB_LOG_LEVEL: 'debug', NODEDB_MALLOC_TRIM: '0' } })
    const sql = new SqlReader(server.pgPort)
    try {
      await sql.connect()
      assert.equal(Number(await sql.scalar('SELECT 1')), 1) // main.ts is past startMallocTrimmer by now
      assert.doesNotMatch(server.output(), /malloc trim/)
      assert.equal(fs.readFileSync(`/proc/${server.child.pid}/maps`, 'utf8').includes('malloc-trim.node'), false)
    } finally {
      await sql.end()
      assert.equal(await server.stop(), 0, server.output())
    }
  })
})
