// bench/line-sender: the bench's line-protocol POSTs, the same client for nodedb and every ILP peer. The bench runs
// on the two CPUs it measures, so what its sender costs is taken from the server it loads: the global fetch (undici)
// cost 0.6–2 CPU s per M rows in the bench process, and reading each body only once the last was answered left
// 4–12 ms between an acknowledgement and the next body (ARCHITECTURE.md, Benchmarks). This is a minimal HTTP/1.1 client over one kept-alive net.Socket per sender: the
// request head and the body go out in one writev, the reply is read by its status line and headers and a body by
// Content-Length or chunked, and anything but 204 throws with the peer's text. Each sender holds its next body
// before its current POST is answered (read ahead: at most two bodies per sender in memory).
import net from 'node:net'
import type { NextBody } from './tsbs-files.js'

const HEAD_END = Buffer.from('\r\n\r\n')
const CRLF = Buffer.from('\r\n')

/** A reply as read off the wire: status, lower-cased headers and the body's bytes. */
interface Reply { readonly status: number; readonly headers: ReadonlyMap<string, string>; readonly body: Buffer }

/**
 * The first whole reply at the start of `data` and the bytes it took, or null while more are needed. `ended`: the
 * peer closed, which ends a reply that has neither length nor chunking.
 */
export function parseReply(data: Buffer, ended: boolean): { reply: Reply; length: number } | null {
  const headEnd = data.indexOf(HEAD_END)
  if (headEnd < 0) return null
  const [statusLine = '', ...lines] = data.toString('latin1', 0, headEnd).split('\r\n')
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)
  if (match === null) throw new Error(`not an HTTP reply: ${JSON.stringify(statusLine.slice(0, 100))}`)
  const status = Number(match[1])
  const headers = new Map<string, string>()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const start = headEnd + HEAD_END.length
  const done = (end: number, body: Buffer): { reply: Reply; length: number } => ({ reply: { status, headers, body }, length: end })
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return done(start, Buffer.alloc(0))
  if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) return chunkedBody(data, start, done)
  const declared = headers.get('content-length')
  if (declared !== undefined) {
    const end = start + Number(declared)
    return data.length < end ? null : done(end, data.subarray(start, end))
  }
  return ended ? done(data.length, data.subarray(start)) : null
}

/** A chunked body from `at`: chunks up to the zero-sized one and its (ignored) trailers, or null while incomplete. */
function chunkedBody<T>(data: Buffer, at: number, done: (end: number, body: Buffer) => T): T | null {
  const parts: Buffer[] = []
  for (;;) {
    const lineEnd = data.indexOf(CRLF, at)
    if (lineEnd < 0) return null
    const size = parseInt(data.toString('latin1', at, lineEnd), 16)
    if (Number.isNaN(size)) throw new Error('a chunked reply with a bad chunk size')
    if (size === 0) {
      const end = data.indexOf(CRLF, lineEnd + 2) // no trailers: the CRLF right after; else after the last one
      const trailersEnd = end === lineEnd + 2 ? end : data.indexOf(HEAD_END, lineEnd)
      if (trailersEnd < 0) return null
      return done(trailersEnd + (end === lineEnd + 2 ? 2 : 4), Buffer.concat(parts))
    }
    if (data.length < lineEnd + 2 + size + 2) return null
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}

/** Client-side figures of a load: bodies sent and the gaps between an acknowledgement and the next body's send. */
export interface SendStats { bodies: number; gapMsTotal: number; gapMsMax: number }

/** What posts one sender's bodies, one at a time (bench/micro/line-sender-cost puts fetch and node:http here too). */
export interface Poster { post(body: Buffer | string): Promise<void>; close(): void }
export type PosterOf = (url: URL, stats: SendStats) => Poster

export const newStats = (): SendStats => ({ bodies: 0, gapMsTotal: 0, gapMsMax: 0 })

/** Counts a body sent `answeredAt` ms after the sender's previous answer (negative: its first body). */
export function noteSent(stats: SendStats, answeredAt: number): void {
  stats.bodies++
  if (answeredAt < 0) return
  const gap = performance.now() - answeredAt
  stats.gapMsTotal += gap
  stats.gapMsMax = Math.max(stats.gapMsMax, gap)
}

/** One kept-alive HTTP/1.1 connection that POSTs bodies one at a time; reconnects when the peer closed it while idle. */
export class LinePoster implements Poster {
  private socket: net.Socket | null = null
  private pending: Buffer = Buffer.alloc(0)
  private waiter: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | null = null
  private answeredAt = -1

  constructor(private readonly url: URL, private readonly stats: SendStats = newStats()) {}

  private connect(): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(this.url.port), this.url.hostname)
      socket.setNoDelay(true)
      socket.once('connect', () => { socket.off('error', reject); resolve(socket) })
      socket.once('error', reject)
      socket.on('data', (chunk: Buffer) => this.received(chunk, false))
      socket.on('end', () => this.received(Buffer.alloc(0), true))
      socket.on('error', (error) => this.fail(error))
      socket.on('close', () => {
        if (this.socket === socket) this.socket = null
        this.fail(new Error(`${this.url.host} closed the connection before answering`))
      })
    })
  }

  private received(chunk: Buffer, ended: boolean): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    if (this.waiter === null) return
    let parsed
    try {
      parsed = parseReply(this.pending, ended)
    } catch (error: unknown) {
      this.fail(error as Error)
      return
    }
    if (parsed === null) return
    this.pending = this.pending.subarray(parsed.length)
    const waiter = this.waiter
    this.waiter = null
    if (/close/i.test(parsed.reply.headers.get('connection') ?? '')) this.drop()
    waiter.resolve(parsed.reply)
  }

  private fail(error: Error): void {
    const waiter = this.waiter
    this.waiter = null
    this.drop()
    waiter?.reject(error)
  }

  private drop(): void {
    this.socket?.destroy()
    this.socket = null
    this.pending = Buffer.alloc(0)
  }

  /** POSTs `body`; resolves once answered 204, throws with the peer's status and text on any other answer. */
  async post(body: Buffer | string): Promise<void> {
    this.socket ??= await this.connect()
    const payload = typeof body === 'string' ? Buffer.from(body) : body
    const reply = new Promise<Reply>((resolve, reject) => { this.waiter = { resolve, reject } })
    const socket = this.socket
    socket.cork()
    socket.write(`POST ${this.url.pathname}${this.url.search} HTTP/1.1\r\nHost: ${this.url.host}\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${payload.length}\r\n\r\n`, 'latin1')
    socket.write(payload)
    socket.uncork() // head and body in one writev
    noteSent(this.stats, this.answeredAt)
    const { status, body: text } = await reply
    this.answeredAt = performance.now()
    if (status !== 204) throw new Error(`line-protocol write answered ${status}: ${text.toString('utf8', 0, 500).trim()}`)
  }

  close(): void {
    this.drop()
  }
}

/**
 * Line-protocol bodies posted by `senders` concurrent senders (default two: the two cores), each on its own
 * connection, each write acknowledged before that sender's next; each sender has its next body in hand before its
 * current POST is answered. Resolves with the client-side figures of the load.
 */
export async function postBodies(url: string, next: NextBody, senders = 2,
  posterOf: PosterOf = (target, stats) => new LinePoster(target, stats)): Promise<SendStats> {
  const stats = newStats()
  const target = new URL(url)
  await Promise.all(Array.from({ length: senders }, async () => {
    const poster = posterOf(target, stats)
    try {
      let ahead = next()
      for (let body = await ahead; body !== undefined; body = await ahead) {
        ahead = next()
        ahead.catch(() => undefined) // awaited on the next turn; a POST that throws first must not leave it unhandled
        await poster.post(body)
      }
    } finally {
      poster.close()
    }
  }))
  return stats
}

/** `bodies` handed out in order, for postBodies. */
export function bodiesOf(bodies: ReadonlyArray<Buffer | string>): NextBody {
  let index = 0
  return () => Promise.resolve(bodies[index++])
}
