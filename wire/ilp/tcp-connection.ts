// wire/ilp/tcp-connection: one ILP TCP client. Lines are parsed as they arrive and handed to sql.ingest in chunks of
// bounded rows; the socket is paused while an ingest is in flight (backpressure, design invariant 4). There is no
// reply channel: a bad line is logged with its line number and counted, and the stream goes on (InfluxDB's
// behaviour); a line longer than the limit ends the connection, since its sender cannot be resynchronised cheaply.
import type { Socket } from 'node:net'
import { log } from '../../src/common/log.js'
import {
  ILP_LINE_BYTES_MAX, ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT, ILP_TCP_FLUSH_INTERVAL_MS, ILP_TCP_FLUSH_ROWS_COUNT,
} from '../../src/common/limits.js'
import type { IngestOutcome, SqlFacade } from '../../sql/api.js'
import { ilpErrorMessage } from './ilp-error.js'
import { IlpParser, type IlpParseResult } from './ilp-parser.js'

/** Counters shared by every connection of one listener (read by tests and, later, metrics). */
export interface IlpTcpCounters {
  rowsWritten: number
  linesRejected: number
  connectionsOverlong: number
}

export interface IlpTcpConnectionOptions {
  readonly socket: Socket
  readonly sql: SqlFacade
  readonly counters: IlpTcpCounters
  readonly flushRows?: number
  readonly onClosed: (connection: IlpTcpConnection) => void
}

export class IlpTcpConnection {
  private readonly socket: Socket
  private readonly parser = new IlpParser({ precision: 'n', nowUs: Date.now() * 1000 })
  private readonly flushRows: number
  private readonly peer: string
  private flushing: Promise<void> | null = null
  private timer: NodeJS.Timeout | null = null
  private isEnded = false
  private isClosed = false

  constructor(private readonly options: IlpTcpConnectionOptions) {
    this.socket = options.socket
    this.flushRows = options.flushRows ?? ILP_TCP_FLUSH_ROWS_COUNT
    this.peer = `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('end', () => this.onEnd())
    this.socket.on('error', (error) => log.debug({ err: error, peer: this.peer }, 'ilp tcp: socket error'))
    this.socket.on('close', () => this.onClose())
  }

  /** Shutdown: stop reading, write what was parsed, close. Resolves once the last ingest settled. */
  async shutdown(): Promise<void> {
    this.socket.pause()
    this.clearTimer()
    if (this.flushing !== null) await this.flushing
    if (!this.isEnded && !this.isClosed) await this.flush(this.parser.drain())
    this.socket.destroy()
  }

  destroy(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    this.parser.setNowUs(Date.now() * 1000)
    this.parser.feed(chunk)
    if (this.parser.isDiscardingLine) {
      log.warn({ peer: this.peer, lineBytesMax: ILP_LINE_BYTES_MAX }, 'ilp tcp: line exceeds the maximum length, closing connection')
      this.options.counters.connectionsOverlong++
      this.socket.pause()
      this.isEnded = true
      void this.startFlush(this.parser.drain()).then(() => this.socket.destroy())
      return
    }
    if (this.parser.pendingLineCount >= this.flushRows) void this.startFlush(this.parser.drain())
    else this.armTimer()
  }

  private onEnd(): void {
    this.isEnded = true
    this.clearTimer()
    const last = this.parser.end()
    void (async () => {
      if (this.flushing !== null) await this.flushing
      await this.flush(last)
      this.socket.end()
    })()
  }

  private onClose(): void {
    this.isClosed = true
    this.clearTimer()
    this.options.onClosed(this)
  }

  private armTimer(): void {
    if (this.timer !== null || this.parser.pendingLineCount === 0) return
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.flushing === null && !this.isEnded) void this.startFlush(this.parser.drain())
      else this.armTimer()
    }, ILP_TCP_FLUSH_INTERVAL_MS)
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  /** Pauses the socket until `result` is written (and any flush before it). */
  private startFlush(result: IlpParseResult): Promise<void> {
    this.clearTimer()
    this.socket.pause()
    const previous = this.flushing ?? Promise.resolve()
    const running = previous.then(() => this.flush(result)).finally(() => {
      if (this.flushing !== running) return
      this.flushing = null
      if (this.isEnded || this.isClosed) return
      this.socket.resume()
      this.armTimer()
    })
    this.flushing = running
    return running
  }

  /** Logs parse errors, ingests the batches, logs refused rows. An engine failure ends the connection. */
  private async flush(result: IlpParseResult): Promise<void> {
    this.reportParseErrors(result)
    if (result.batches.length === 0) return
    let outcome: IngestOutcome
    try {
      outcome = await this.options.sql.ingest(result.batches)
    } catch (error) {
      log.error({ err: error, peer: this.peer }, 'ilp tcp: write failed, closing connection')
      this.isEnded = true
      this.socket.destroy()
      return
    }
    this.options.counters.rowsWritten += outcome.rowCount
    this.options.counters.linesRejected += outcome.errorCount
    outcome.errors.slice(0, ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT).forEach((error) => {
      log.warn({ peer: this.peer, line: error.line, code: error.code }, `ilp tcp: line ${error.line} rejected: ${error.message}`)
    })
    if (outcome.errorCount > ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT) {
      log.warn({ peer: this.peer, count: outcome.errorCount - ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT }, 'ilp tcp: more lines rejected')
    }
  }

  private reportParseErrors(result: IlpParseResult): void {
    if (result.errorCount === 0) return
    this.options.counters.linesRejected += result.errorCount
    result.errors.slice(0, ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT).forEach((error) => {
      log.warn({ peer: this.peer, line: error.line, code: error.code }, `ilp tcp: ${ilpErrorMessage(error)}`)
    })
    if (result.errorCount > ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT) {
      log.warn({ peer: this.peer, count: result.errorCount - ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT }, 'ilp tcp: more lines rejected')
    }
  }
}
