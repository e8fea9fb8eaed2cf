// bench/peers/pg-wire: the TSBS query set's client for the pg-wire systems (nodedb, PostgreSQL), the least a client
// can do: simple query protocol on a raw socket, messages framed by their length, each DataRow kept as the bytes it
// came in. Its values become cells only when the cross-check asks (`cells()`), after the query's time is taken — as
// TSBS's Go client reads rows without scanning them. The `pg` client costs ~8 µs per value here (its DataRow parser
// makes a string of every value, then its type parsers a Date or number): 400 ms of bench CPU for high-cpu-all's
// 48k rows × 21 columns, five times the server's; framing alone costs ~35 ms (ARCHITECTURE.md, Benchmarks).
import net from 'node:net'
import pg from 'pg'
import { serialize } from 'pg-protocol'
import { QueryError, type Answer, type Cell } from './query-engines.js'

const HEADER_BYTES = 5 // type byte, int32 length (which counts itself)
const enum Code {
  authentication = 0x52, // R
  rowDescription = 0x54, // T
  dataRow = 0x44, // D
  errorResponse = 0x45, // E
  readyForQuery = 0x5a, // Z
}

const TIMESTAMP_OIDS = new Set([1114, 1184])
const NUMBER_OIDS = new Set([20, 21, 23, 700, 701, 1700])

type Parse = (text: string) => unknown

/** Timestamps as epoch ms, integers and numerics as numbers, the rest as pg parses it: the cells every engine answers with. */
function parserOf(oid: number): Parse {
  // Both are shown in UTC (the server time zone of every system here), so "+00" may be appended.
  if (TIMESTAMP_OIDS.has(oid)) return (text) => Date.parse(`${text.replace(' ', 'T')}${oid === 1114 ? 'Z' : ''}`.replace(/([+-]\d\d)$/, '$1:00'))
  if (NUMBER_OIDS.has(oid)) return (text) => Number(text)
  return pg.types.getTypeParser(oid, 'text') as Parse
}

/** Column type OIDs of a RowDescription body. */
function columnOids(body: Buffer): number[] {
  const oids: number[] = []
  let at = 2
  for (let i = body.readInt16BE(0); i > 0; i--) {
    at = body.indexOf(0, at) + 1 // name
    oids.push(body.readInt32BE(at + 6)) // after table OID (4) and column number (2)
    at += 18
  }
  return oids
}

/** The rows' bytes decoded into cells by their columns' types. */
function decodeRows(oids: ReadonlyArray<number>, rows: ReadonlyArray<Buffer>): Cell[][] {
  const parsers = oids.map(parserOf)
  return rows.map((body) => {
    const cells: Cell[] = []
    const count = body.readInt16BE(0)
    let at = 2
    for (let i = 0; i < count; i++) {
      const length = body.readInt32BE(at)
      at += 4
      if (length < 0) cells.push(null)
      else {
        cells.push(parsers[i]!(body.toString('utf8', at, at + length)) as Cell)
        at += length
      }
    }
    return cells
  })
}

/** An ErrorResponse body's message and SQLSTATE. */
function errorOf(body: Buffer): QueryError {
  const fields = new Map<string, string>()
  for (let at = 0; at < body.length && body[at] !== 0;) {
    const end = body.indexOf(0, at + 1)
    fields.set(String.fromCharCode(body[at]!), body.toString('utf8', at + 1, end))
    at = end + 1
  }
  return new QueryError(fields.get('M') ?? 'error', fields.get('C') ?? '?????')
}

interface Pending {
  oids: number[]
  readonly rows: Buffer[]
  error: QueryError | null
  readonly done: (error: QueryError | null) => void
}

/** One connection; one query at a time, as the bench runs them. */
export class PgWire {
  private tail: Buffer = Buffer.alloc(0)
  private pending: Pending | null = null

  private constructor(private readonly socket: net.Socket, private readonly timeoutMs: number) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    const gone = (): void => this.pending?.done(this.pending.error ?? new QueryError('connection closed', '08006'))
    socket.on('close', gone)
    socket.on('error', gone)
  }

  /** Connects as `user` to database postgres (trust authentication, as the bench's servers have). */
  static async connect(port: number, user: string, timeoutMs: number): Promise<PgWire> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })
    socket.setNoDelay(true) // as node-postgres does: a query is one small write, never held back by Nagle
    const client = new PgWire(socket, timeoutMs)
    await client.exchange(serialize.startup({ user, database: 'postgres' }))
    return client
  }

  /** Runs `sql` and resolves once its ReadyForQuery has arrived, the rows still undecoded. */
  async query(sql: string): Promise<Answer> {
    const pending = await this.exchange(serialize.query(sql))
    return { cells: () => decodeRows(pending.oids, pending.rows) }
  }

  end(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) resolve()
      else this.socket.end(serialize.end(), () => resolve())
    })
  }

  private exchange(message: Buffer): Promise<Pending> {
    if (this.pending !== null) return Promise.reject(new Error('PgWire runs one query at a time'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.destroy()
        finish(new QueryError(`no answer after ${this.timeoutMs} ms`, '57014'))
      }, this.timeoutMs)
      const finish = (error: QueryError | null): void => {
        clearTimeout(timer)
        if (this.pending !== pending) return
        this.pending = null
        if (error === null) resolve(pending)
        else reject(error)
      }
      const pending: Pending = { oids: [], rows: [], error: null, done: finish }
      this.pending = pending
      this.socket.write(message)
    })
  }

  /** Frames whole messages out of the chunks (a message may span chunks); a DataRow keeps a view of its chunk. */
  private receive(chunk: Buffer): void {
    const data = this.tail.length === 0 ? chunk : Buffer.concat([this.tail, chunk])
    let at = 0
    while (data.length - at >= HEADER_BYTES) {
      const end = at + 1 + data.readInt32BE(at + 1)
      if (end > data.length) break
      this.message(data[at]!, data.subarray(at + HEADER_BYTES, end))
      at = end
    }
    this.tail = data.subarray(at)
  }

  private message(code: number, body: Buffer): void {
    const pending = this.pending
    if (pending === null) return // a notice or parameter status between queries
    if (code === Code.dataRow) pending.rows.push(body)
    else if (code === Code.rowDescription) pending.oids = columnOids(body)
    else if (code === Code.errorResponse) pending.error = errorOf(body)
    else if (code === Code.authentication && body.readInt32BE(0) !== 0) {
      pending.error = new QueryError(`authentication method ${body.readInt32BE(0)} not supported by the bench's client`, '28000')
      pending.done(pending.error)
      this.socket.destroy()
    } else if (code === Code.readyForQuery) pending.done(pending.error)
  }
}
