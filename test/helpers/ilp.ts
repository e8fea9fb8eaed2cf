// test/helpers/ilp: small clients for the ILP integration tests — a raw TCP writer, a raw HTTP request, and SQL
// polling (TCP has no acknowledgements, so a test waits until the rows it sent are visible).
import assert from 'node:assert/strict'
import http from 'node:http'
import net from 'node:net'
import pg from 'pg'
import { makeTempDir, removeDir, startServerProcess, type ServerProcess } from './server-process.js'

/** Opens a socket, writes `chunks` one by one, half-closes, and resolves when the server closes it. */
export function sendTcp(port: number, chunks: ReadonlyArray<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      for (const chunk of chunks) socket.write(chunk)
      socket.end()
    })
    socket.on('error', reject)
    socket.on('close', () => resolve())
    socket.resume()
  })
}

/**
 * Writes lines [from, to) over ILP/TCP on one socket, `chunkOf(a, b)` rendering lines [a, b), `chunkLineCount` lines
 * a write, honouring the socket's backpressure; resolves when the server has closed the socket after our end.
 */
export function sendLineRange(port: number, range: { readonly from: number; readonly to: number }, chunkLineCount: number,
  chunkOf: (from: number, to: number) => Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    let next = range.from
    const pump = (): void => {
      while (next < range.to) {
        const end = Math.min(range.to, next + chunkLineCount)
        const isRoomLeft = socket.write(chunkOf(next, end))
        next = end
        if (!isRoomLeft) return
      }
      socket.end()
    }
    socket.on('connect', pump)
    socket.on('drain', pump)
    socket.on('error', reject)
    socket.on('close', () => resolve())
    socket.resume()
  })
}

export interface HttpAnswer {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

export function httpRequest(port: number, options: { method: string; path: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: options.method, path: options.path, headers: options.headers ?? {}, agent: false },
      (response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }))
        response.on('error', reject)
      })
    request.on('error', reject)
    request.end(options.body)
  })
}

export class SqlReader {
  private readonly client: pg.Client

  constructor(port: number) {
    this.client = new pg.Client({ host: '127.0.0.1', port, user: 'ilp', database: 'ilp' })
  }

  async connect(): Promise<void> {
    await this.client.connect()
  }

  async rows(text: string): Promise<Array<Record<string, unknown>>> {
    return (await this.client.query(text)).rows as Array<Record<string, unknown>>
  }

  /** The single value of `text`'s first row, or null when the table does not exist yet. */
  async scalar(text: string): Promise<unknown> {
    try {
      const rows = await this.rows(text)
      const first = rows[0]
      return first === undefined ? null : Object.values(first)[0]
    } catch (error) {
      if ((error as { code?: string }).code === '42P01') return null
      throw error
    }
  }

  /** Polls `text` until it returns `expected` (compared as strings); rejects after `timeoutMs` with the last value. */
  async waitFor(text: string, expected: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let last: unknown = null
    while (Date.now() < deadline) {
      last = await this.scalar(text)
      if (String(last) === expected) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`${text}: expected ${expected}, last saw ${String(last)}`)
  }

  end(): Promise<void> {
    return this.client.end()
  }
}

export interface IlpServerFixture {
  readonly server: ServerProcess
  readonly sql: SqlReader
}

/**
 * Registers before/after hooks on the enclosing describe: a server process on a temp data dir (with `args`) and a
 * connected SqlReader; after, the reader closes, the server must exit 0 on SIGTERM, and the dir is removed.
 */
export function useIlpServer(prefix: string, args: ReadonlyArray<string> = []): IlpServerFixture {
  let dataDir = ''
  let server: ServerProcess | null = null
  let sql: SqlReader | null = null
  before(async function () {
    dataDir = makeTempDir(prefix)
    server = await startServerProcess({ dataDir, args })
    sql = new SqlReader(server.pgPort)
    await sql.connect()
  })
  after(async function () {
    await sql?.end()
    if (server !== null) assert.equal(await server.stop(), 0, server.output())
    removeDir(dataDir)
  })
  return {
    get server(): ServerProcess {
      assert.ok(server !== null, 'the fixture server starts in before()')
      return server
    },
    get sql(): SqlReader {
      assert.ok(sql !== null, 'the fixture reader connects in before()')
      return sql
    },
  }
}
