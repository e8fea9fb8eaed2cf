// test/clients/pgx-wire: what Grafana's pgx v5 driver puts on the wire, rebuilt on pg-protocol's serializer and
// parser (an oracle we did not write) so tests can run the same exchange against nodedb and a real PostgreSQL 15.
// - `simple(text)`: one Query, as Grafana's panel queries go (`PgConn().Exec`), text results.
// - `cached(text, params)`: pgx's QueryExecModeCacheStatement (`pool.Query` with $n, the schema API of
//   clients.md §1.6): Parse(stmtcache_<48 hex>) + Describe S + Sync, then Bind with one result format per column as
//   pgx's FormatCodeForOID picks it + Describe P + Execute + Sync. Binary values are kept as raw bytes, so results
//   compare byte for byte.
import { createHash } from 'node:crypto'
import { connect, type Socket } from 'node:net'
import { serialize } from 'pg-protocol'
import type { BackendMessage } from 'pg-protocol/dist/messages.js'
import { Parser } from 'pg-protocol/dist/parser.js'

type Message = BackendMessage & Partial<Record<string, unknown>>

/** Type OIDs pgx v5 asks for in binary (pgtype's FormatCodeForOID); every other OID is text. */
export const PGX_BINARY_OIDS: ReadonlySet<number> = new Set([
  16, 17, 18, 20, 21, 23, 26, 700, 701, 1082, 1083, 1114, 1184, 1186, 1700, 2950,
  1000, 1001, 1002, 1005, 1007, 1016, 1021, 1022, 1028, 1115, 1182, 1183, 1185, 1187, 1231, 2951,
])

/**
 * OIDs the tests ask for in text although pgx asks for binary, because nodedb lacks that binary codec yet: binary
 * numeric output is wire/pg/codecs' (nodedb answers 0A000 "binary output format for type 1700"), and
 * `floor(extract(epoch …)…)` in every $__timeGroup is numeric. Applied to both servers alike, so answers still
 * compare; empty this set once the numeric binary codec lands.
 */
export const BINARY_CODECS_PENDING: ReadonlySet<number> = new Set([1700])

export interface ResultField {
  readonly name: string
  readonly typeOid: number
  readonly typeSize: number
  readonly typeModifier: number
  /** 0 text, 1 binary: what the server says it sends. */
  readonly format: number
}

/** One statement's answer; values are hex of the raw bytes (binary) or the text (text), null for NULL. */
export interface WireResult {
  readonly paramOids: ReadonlyArray<number> | null
  readonly fields: ReadonlyArray<ResultField> | null
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>
  readonly tag: string | null
  readonly error: { readonly code: string; readonly message: string } | null
  /** Message names in order (DataRows collapsed), e.g. 'parseComplete parameterDescription rowDescription readyForQuery'. */
  readonly flow: string
  /** For a cached statement's first use: the prepare round (Describe S) as its own result. */
  readonly prepared?: WireResult
}

/** A parameter: text (format 0) or raw binary bytes (format 1). */
export type WireParam = string | Buffer | null

/** The name pgx's statement cache gives a statement: stmtcache_ + the first 24 bytes of its SHA-256, in hex. */
export function stmtcacheName(text: string): string {
  return `stmtcache_${createHash('sha256').update(text).digest('hex').slice(0, 48)}`
}

/** A timestamptz as pgx sends it in binary: int64 µs since 2000-01-01 UTC. */
export function timestamptzBinary(iso: string): Buffer {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64BE(BigInt(Date.parse(iso) - Date.UTC(2000, 0, 1)) * 1000n)
  return bytes
}

function bindMessage(statement: string, params: ReadonlyArray<WireParam>, resultFormats: ReadonlyArray<number>): Buffer {
  const parts: Buffer[] = []
  const int16 = (value: number): void => { const b = Buffer.alloc(2); b.writeInt16BE(value); parts.push(b) }
  const int32 = (value: number): void => { const b = Buffer.alloc(4); b.writeInt32BE(value); parts.push(b) }
  parts.push(Buffer.from('\0'), Buffer.from(`${statement}\0`))
  int16(params.length)
  for (const param of params) int16(Buffer.isBuffer(param) ? 1 : 0)
  int16(params.length)
  for (const param of params) {
    if (param === null) { int32(-1); continue }
    const bytes = Buffer.isBuffer(param) ? param : Buffer.from(param)
    int32(bytes.length)
    parts.push(bytes)
  }
  int16(resultFormats.length)
  for (const format of resultFormats) int16(format)
  const body = Buffer.concat(parts)
  const header = Buffer.alloc(5)
  header.write('B')
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}

export class PgxWire {
  private readonly messages: Message[] = []
  private readonly parser = new Parser()
  private waiter: (() => void) | null = null
  private closed = false
  /** Statements prepared on this connection (pgx's cache): a second use skips Parse. */
  private readonly statementCache = new Map<string, ReadonlyArray<ResultField> | null>()

  /**
   * @param textOids OIDs a test asks for in text although pgx asks for binary, each because nodedb lacks that binary
   *   codec yet (the caller names why); applied to both servers alike so answers still compare.
   */
  private constructor(private readonly socket: Socket, private readonly textOids: ReadonlySet<number>) {
    // DataRow cells are decoded with the reader's encoding; latin1 maps each byte to one char, so binary cells
    // survive and text cells are re-read as UTF-8 below.
    Reflect.set(Reflect.get(this.parser, 'reader') as object, 'encoding', 'latin1')
    socket.on('data', (chunk: Buffer) => {
      this.parser.parse(chunk, (message) => this.messages.push(message as Message))
      this.wake()
    })
    socket.on('close', () => { this.closed = true; this.wake() })
    socket.on('error', () => undefined)
  }

  /** Connects and starts up as pgx does (user, database; no other parameters). */
  static async connect(port: number, textOids: ReadonlySet<number> = new Set()): Promise<PgxWire> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })
    const wire = new PgxWire(socket, textOids)
    socket.write(serialize.startup({ user: 'postgres', database: 'postgres' }))
    const startup = await wire.readUntilReady()
    const error = startup.find((message) => message.name === 'error')
    if (error !== undefined) throw new Error(`startup failed: ${String(error.message)}`)
    return wire
  }

  end(): void {
    this.socket.end(serialize.end())
  }

  async simple(text: string): Promise<WireResult> {
    this.socket.write(serialize.query(text))
    return toResult(await this.readUntilReady(), null, [])
  }

  /** pgx's cached-statement query: prepare once per connection, then bind with pgx's per-column formats. */
  async cached(text: string, params: ReadonlyArray<WireParam> = []): Promise<WireResult> {
    const name = stmtcacheName(text)
    let paramOids: ReadonlyArray<number> | null = null
    let prepared: WireResult | undefined
    if (!this.statementCache.has(name)) {
      this.socket.write(Buffer.concat([serialize.parse({ name, text, types: [] }), serialize.describe({ type: 'S', name }), serialize.sync()]))
      const described = await this.readUntilReady()
      prepared = toResult(described, null, [])
      if (prepared.error !== null) return prepared
      paramOids = prepared.paramOids
      this.statementCache.set(name, prepared.fields)
    }
    const fields = this.statementCache.get(name) ?? null
    const formats = (fields ?? []).map((field) => (PGX_BINARY_OIDS.has(field.typeOid) && !this.textOids.has(field.typeOid) ? 1 : 0))
    this.socket.write(Buffer.concat([bindMessage(name, params, formats), serialize.describe({ type: 'P', name: '' }),
      serialize.execute({}), serialize.sync()]))
    const executed = await this.readUntilReady()
    const result = toResult(executed, paramOids, formats)
    return prepared === undefined ? result : { ...result, paramOids, prepared }
  }

  private async readUntilReady(): Promise<Message[]> {
    while (!this.messages.some((message) => message.name === 'readyForQuery')) {
      if (this.closed) throw new Error(`connection closed; got ${this.messages.map((m) => m.name).join(' ')}`)
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
    const index = this.messages.findIndex((message) => message.name === 'readyForQuery')
    return this.messages.splice(0, index + 1)
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.()
  }
}

interface RawField { name: string; dataTypeID: number; dataTypeSize: number; dataTypeModifier: number; format: string }

function toResult(messages: ReadonlyArray<Message>, paramOids: ReadonlyArray<number> | null, formats: ReadonlyArray<number>): WireResult {
  let fields: ResultField[] | null = null
  let params = paramOids
  const rows: Array<Array<string | null>> = []
  let tag: string | null = null
  let error: WireResult['error'] = null
  const flow: string[] = []
  for (const message of messages) {
    if (message.name !== 'dataRow' || flow[flow.length - 1] !== 'dataRow') flow.push(message.name)
    if (message.name === 'parameterDescription') params = message.dataTypeIDs as number[]
    if (message.name === 'rowDescription') {
      fields = (message.fields as RawField[]).map((field) => ({ name: field.name, typeOid: field.dataTypeID,
        typeSize: field.dataTypeSize, typeModifier: field.dataTypeModifier, format: field.format === 'binary' ? 1 : 0 }))
    }
    if (message.name === 'dataRow') {
      rows.push((message.fields as Array<string | null>).map((cell, index) => {
        if (cell === null) return null
        const bytes = Buffer.from(cell, 'latin1')
        return (formats[index] ?? 0) === 1 ? bytes.toString('hex') : bytes.toString('utf8')
      }))
    }
    if (message.name === 'commandComplete') tag = message.text as string
    if (message.name === 'error') error = { code: String(message.code), message: String(message.message) }
  }
  return { paramOids: params, fields, rows, tag, error, flow: flow.join(' ') }
}
