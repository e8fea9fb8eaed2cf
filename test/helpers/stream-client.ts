// test/helpers/stream-client: a raw-socket PostgreSQL client that counts result rows instead of keeping them, for
// tests that stream millions of rows (a client holding them would measure itself). Frames are built with
// pg-protocol's `serialize` and decoded by its Parser (an oracle we did not write); DataRows are counted and
// dropped, every other message is kept.
import { connect, type Socket } from 'node:net'
import { serialize } from 'pg-protocol'
import { DataRowMessage, type BackendMessage } from 'pg-protocol/dist/messages.js'
import { Parser } from 'pg-protocol/dist/parser.js'

export class StreamClient {
  /** Messages other than DataRow, in order. */
  readonly messages: BackendMessage[] = []
  /** What the server sent up to the first ReadyForQuery (BackendKeyData among it). */
  startupMessages: ReadonlyArray<BackendMessage> = []
  dataRowCount = 0
  /** The last DataRow's fields as text (binary ones undecoded), for spot checks. */
  lastRow: ReadonlyArray<string | null> = []
  private readonly parser = new Parser()
  private isClosed = false
  private waiter: (() => void) | null = null
  /** Called after each chunk is parsed (tests pause or disconnect mid-stream from here). */
  onChunk: (() => void) | null = null

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.parser.parse(chunk, (message) => {
        if (message instanceof DataRowMessage) {
          this.dataRowCount += 1
          this.lastRow = message.fields
        } else this.messages.push(message)
      })
      this.onChunk?.()
      this.wake()
    })
    socket.on('close', () => { this.isClosed = true; this.wake() })
    socket.on('error', () => undefined)
  }

  static async connect(port: number): Promise<StreamClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(s))
      s.once('error', reject)
    })
    const client = new StreamClient(socket)
    socket.write(serialize.startup({ user: 'alice', database: 'db' }))
    client.startupMessages = await client.readUntil('readyForQuery')
    return client
  }

  get closed(): boolean {
    return this.isClosed
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  query(text: string): void {
    this.write(serialize.query(text))
  }

  /** Parse + Bind + Execute(maxRows) on the unnamed portal, then Flush (no Sync: the portal stays open). */
  executePortal(text: string, maxRows: number): void {
    this.write(Buffer.concat([serialize.parse({ text }), serialize.bind({}), serialize.execute({ rows: maxRows }), serialize.flush()]))
  }

  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  destroy(): void {
    this.socket.destroy()
  }

  /** Removes and returns every kept message up to and including the first named one. */
  async readUntil(name: string): Promise<BackendMessage[]> {
    for (;;) {
      const index = this.messages.findIndex((message) => message.name === name)
      if (index >= 0) return this.messages.splice(0, index + 1)
      if (this.isClosed) throw new Error(`closed while waiting for ${name}`)
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
  }

  /** Resolves once at least `count` DataRows arrived. */
  async untilRows(count: number): Promise<void> {
    while (this.dataRowCount < count) {
      if (this.isClosed) throw new Error(`closed after ${this.dataRowCount} rows`)
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.()
  }
}
