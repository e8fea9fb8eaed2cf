// test/unit/wire/wire-client: a raw-socket PostgreSQL client for tests. Frames are built with pg-protocol's
// `serialize` (or by hand, to corrupt them) and the server's output is decoded by pg-protocol's Parser: an oracle
// we did not write.
import { connect, type Socket } from 'node:net'
import { serialize } from 'pg-protocol'
import type { BackendMessage, DatabaseError } from 'pg-protocol/dist/messages.js'
import { Parser } from 'pg-protocol/dist/parser.js'

export type Message = BackendMessage & Partial<Record<string, unknown>>

export class WireClient {
  readonly messages: Message[] = []
  private readonly parser = new Parser()
  private rawBytes: number[] = []
  private expectRawByte = false
  private isClosed = false
  private waiter: (() => void) | null = null

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('close', () => {
      this.isClosed = true
      this.wake()
    })
    socket.on('error', () => undefined)
  }

  static connect(port: number): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new WireClient(socket)))
      socket.once('error', reject)
    })
  }

  get closed(): boolean {
    return this.isClosed
  }

  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** SSLRequest / GSSENCRequest answers are one raw byte, not a message. */
  async requestSsl(): Promise<string> {
    this.expectRawByte = true
    this.write(serialize.requestSsl())
    await this.until(() => this.rawBytes.length > 0)
    return String.fromCharCode(this.rawBytes.shift() ?? 0)
  }

  async startup(params: Record<string, string> = { user: 'alice', database: 'db' }): Promise<Message[]> {
    this.write(serialize.startup(params))
    return this.readUntil('readyForQuery')
  }

  /** Returns (and removes) every message up to and including the first named one. */
  async readUntil(name: string): Promise<Message[]> {
    await this.until(() => this.messages.some((message) => message.name === name), name)
    const index = this.messages.findIndex((message) => message.name === name)
    return this.messages.splice(0, index + 1)
  }

  async readUntilClosed(): Promise<Message[]> {
    await this.until(() => this.isClosed)
    return this.messages.splice(0)
  }

  async query(text: string): Promise<Message[]> {
    this.write(serialize.query(text))
    return this.readUntil('readyForQuery')
  }

  /** Stops reading from the socket (the server's send buffer fills up: backpressure). */
  pause(): void {
    this.socket.pause()
  }

  resume(): void {
    this.socket.resume()
  }

  end(): void {
    this.socket.destroy()
  }

  private receive(chunk: Buffer): void {
    let rest = chunk
    if (this.expectRawByte && rest.length > 0) {
      this.expectRawByte = false
      this.rawBytes.push(rest[0] ?? 0)
      rest = rest.subarray(1)
    }
    if (rest.length > 0) this.parser.parse(rest, (message) => this.messages.push(message as Message))
    this.wake()
  }

  private wake(): void {
    const waiter = this.waiter
    this.waiter = null
    waiter?.()
  }

  private async until(done: () => boolean, what = 'condition'): Promise<void> {
    while (!done()) {
      if (this.isClosed) throw new Error(`connection closed while waiting for ${what}; got ${names(this.messages)}`)
      await new Promise<void>((resolve) => { this.waiter = resolve })
    }
  }
}

export function names(messages: ReadonlyArray<Message>): string {
  return messages.map((message) => message.name).join(' ')
}

export function errorOf(messages: ReadonlyArray<Message>): DatabaseError {
  const error = messages.find((message) => message.name === 'error')
  if (error === undefined) throw new Error(`no ErrorResponse in: ${names(messages)}`)
  return error as unknown as DatabaseError
}
