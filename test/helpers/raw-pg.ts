// test/helpers/raw-pg: a raw-socket PostgreSQL client for protocol tests that compare nodedb's bytes with a real
// PostgreSQL's. Frontend frames come from pg-protocol's `serialize`; backend frames are split by their length
// header and decoded by pg-protocol's Parser, except that DataRow values are also kept as raw bytes (pg-protocol
// decodes them as UTF-8 text, which would hide binary values).
import { connect, type Socket } from 'node:net'
import { serialize } from 'pg-protocol'
import type { BackendMessage } from 'pg-protocol/dist/messages.js'
import { Parser } from 'pg-protocol/dist/parser.js'

export interface RawMessage {
  readonly name: string
  readonly message: BackendMessage
  /** DataRow only: each value's bytes (null for NULL). */
  readonly values?: ReadonlyArray<Buffer | null>
  /** The whole frame as received (type byte, length, body). */
  readonly frame: Buffer
}

const DATA_ROW = 0x44 // 'D'

function dataRowValues(frame: Buffer): Array<Buffer | null> {
  const count = frame.readInt16BE(5)
  const values: Array<Buffer | null> = []
  let offset = 7
  for (let i = 0; i < count; i++) {
    const length = frame.readInt32BE(offset)
    offset += 4
    if (length < 0) values.push(null)
    else {
      values.push(Buffer.from(frame.subarray(offset, offset + length)))
      offset += length
    }
  }
  return values
}

export class RawPgClient {
  readonly messages: RawMessage[] = []
  private buffer = Buffer.alloc(0)
  private isClosed = false
  private waiter: (() => void) | null = null

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('close', () => { this.isClosed = true; this.wake() })
    socket.on('error', () => undefined)
  }

  /** Connects and completes startup; the startup messages are left in `messages` (take them with readUntil). */
  static async connect(port: number, params: Record<string, string> = {}): Promise<RawPgClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })
    const client = new RawPgClient(socket)
    socket.write(serialize.startup({ user: 'postgres', database: 'postgres', ...params }))
    await client.waitFor('readyForQuery')
    return client
  }

  write(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames))
  }

  /** Removes and returns every message up to and including the first named one. */
  async readUntil(name: string): Promise<RawMessage[]> {
    await this.waitFor(name)
    const index = this.messages.findIndex((m) => m.name === name)
    return this.messages.splice(0, index + 1)
  }

  /** Removes and returns every message up to and including the first of any of the named ones. */
  async readUntilAny(names: ReadonlyArray<string>): Promise<RawMessage[]> {
    while (!this.messages.some((m) => names.includes(m.name))) {
      if (this.isClosed) throw new Error(`closed while waiting for ${names.join(' or ')}`)
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
    const index = this.messages.findIndex((m) => names.includes(m.name))
    return this.messages.splice(0, index + 1)
  }

  /** Simple Query; its messages up to ReadyForQuery. */
  async query(text: string): Promise<RawMessage[]> {
    this.write(serialize.query(text))
    return this.readUntil('readyForQuery')
  }

  close(): void {
    this.socket.end(serialize.end())
  }

  private async waitFor(name: string): Promise<void> {
    while (!this.messages.some((m) => m.name === name)) {
      if (this.isClosed) throw new Error(`closed while waiting for ${name}`)
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk])
    while (this.buffer.length >= 5) {
      const length = this.buffer.readInt32BE(1)
      if (this.buffer.length < 1 + length) break
      const frame = this.buffer.subarray(0, 1 + length)
      this.buffer = this.buffer.subarray(1 + length)
      new Parser().parse(frame, (message) => {
        const copy = Buffer.from(frame)
        this.messages.push(frame[0] === DATA_ROW ? { name: message.name, message, values: dataRowValues(frame), frame: copy } : { name: message.name, message, frame: copy })
      })
    }
    this.wake()
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.()
  }
}
