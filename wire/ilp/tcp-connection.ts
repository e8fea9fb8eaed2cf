// wire/ilp/tcp-connection: one ILP TCP client. Lines are parsed as they arrive and handed to sql.ingest in chunks of
// bounded rows; the socket is paused while an ingest is in flight (backpressure, design invariant 4). There is no
// reply channel: a bad line is logged with its line number and counted, and the stream goes on (InfluxDB's
// behaviour); a line longer than the limit ends the connection, since its sender cannot be resynchronised cheaply.
// With a parse pool, bytes are buffered instead and every ILP_TCP_POOL_RUN_BYTES the complete lines (cut at the last
// '\n') go to the pool as one run, off the event loop; what remains at the flush timer, at end or at shutdown is
// parsed inline. Line numbers run on across runs (the inline parser skips a run's lines) and results reach sql.ingest
// in arrival order (one promise chain per connection); up to ILP_TCP_RUNS_IN_FLIGHT_COUNT runs are in flight.
// Every byte read is charged to the listener's IlpTcpBudget until the flush carrying it settles; while the budget is
// spent the socket is paused, and the flush timer still hands the buffered lines on, so paused connections drain.
// Disk full (issue 12, 53100): the refused table batches are kept and retried every DISK_PROBE_INTERVAL_MS while the
// socket stays paused (backpressure: the client's sends block), logged once per DISK_FULL_LOG_INTERVAL_MS per listener.
import type { Socket } from 'node:net'
import { isDbError } from '../../src/common/errors.js'
import { log } from '../../src/common/log.js'
import {
  DISK_FULL_LOG_INTERVAL_MS, DISK_PROBE_INTERVAL_MS, ILP_INGEST_TABLES_IN_FLIGHT_COUNT, ILP_LINE_BYTES_MAX, ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT, ILP_TCP_FLUSH_INTERVAL_MS, ILP_TCP_FLUSH_ROWS_COUNT,
  ILP_PARSE_POOL_BYTES_MIN, ILP_TCP_POOL_RUN_BYTES, ILP_TCP_RUNS_IN_FLIGHT_COUNT,
} from '../../src/common/limits.js'
import type { IngestBatch, IngestOutcome, SqlFacade } from '../../sql/api.js'
import { ilpErrorMessage } from './ilp-error.js'
import { IlpParser, type IlpParseResult } from './ilp-parser.js'
import type { IngestBufferPool } from './ingest-buffers.js'
import { completeLineBytes, countLines } from './run-lines.js'
import { needsInput, withReparse } from './run-reparse.js'
import type { IlpParsePool } from './parse-pool.js'
import type { IlpTcpBudget } from './tcp-budget.js'
import { StagedBytes } from './tcp-staged-bytes.js'

/** Counters shared by every connection of one listener (read by tests and, later, metrics). */
export interface IlpTcpCounters {
  rowsWritten: number
  linesRejected: number
  connectionsOverlong: number
  /** Times a connection paused because the disk was full (53100), and when that was last logged. */
  diskFullPauses: number
  diskFullLoggedAtMs: number
}

export interface IlpTcpConnectionOptions {
  readonly socket: Socket
  readonly sql: SqlFacade
  readonly counters: IlpTcpCounters
  readonly flushRows?: number
  /** Parses runs of complete lines off the event loop; null = parse everything inline. */
  readonly parsePool?: IlpParsePool | null
  /** The bytes every connection of the listener holds, bounded together (shared by the listener's connections). */
  readonly budget: IlpTcpBudget
  /** Where runs are copied for the parse pool, and given back once parsed (shared by the listener's connections). */
  readonly runBuffers: IngestBufferPool
  readonly onClosed: (connection: IlpTcpConnection) => void
  /** Bytes read before this connection took the socket (after an ILP auth handshake, tcp-auth.ts): parsed first. */
  readonly firstBytes?: Buffer
}

const NEWLINE = 10

export class IlpTcpConnection {
  private readonly socket: Socket
  private readonly parser = new IlpParser({ precision: 'n', nowUs: Date.now() * 1000 })
  private readonly flushRows: number
  private readonly peer: string
  private readonly pool: IlpParsePool | null
  private flushing: Promise<void> | null = null
  // Pool mode: bytes not yet given to a parser (copied as they arrive: tcp-staged-bytes.ts). When non-empty they begin
  // at a line start and the parser holds no partial line.
  private readonly raw: StagedBytes
  private inlineFlushesQueued = 0
  private runsQueued = 0
  private timer: NodeJS.Timeout | null = null
  private isEnded = false
  private isClosed = false
  private isShuttingDown = false
  private retryWait: { timer: NodeJS.Timeout; wake: () => void } | null = null
  // Budget accounting: bytes read, and bytes handed to a flush (released when it settles); the rest sit in `raw` or
  // in the inline parser. Set while the socket waits for room in the budget.
  private receivedBytes = 0
  private committedBytes = 0
  private budgetWait: (() => void) | null = null

  constructor(private readonly options: IlpTcpConnectionOptions) {
    this.socket = options.socket
    this.flushRows = options.flushRows ?? ILP_TCP_FLUSH_ROWS_COUNT
    this.pool = options.parsePool ?? null
    this.raw = new StagedBytes(options.runBuffers)
    this.peer = `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? 0}`
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk))
    this.socket.on('end', () => this.onEnd())
    this.socket.on('error', (error) => log.debug({ err: error, peer: this.peer }, 'ilp tcp: socket error'))
    this.socket.on('close', () => this.onClose())
    if (options.firstBytes !== undefined && options.firstBytes.length > 0) this.onData(options.firstBytes)
    // After a handshake the client may already have ended, or closed, its stream: its events will not come again.
    if (this.socket.readableEnded) this.onEnd()
    if (this.socket.closed) this.onClose()
  }

  /** Shutdown: stop reading, write what was parsed, close. Resolves once the last ingest settled. */
  async shutdown(): Promise<void> {
    this.socket.pause()
    this.clearTimer()
    this.isShuttingDown = true
    this.wakeRetry()
    while (this.flushing !== null) await this.flushing
    if (!this.isEnded && !this.isClosed) {
      this.feedRawInline()
      await this.flush(this.parser.drain())
    }
    this.socket.destroy()
  }

  destroy(): void {
    this.socket.destroy()
  }

  private onData(chunk: Buffer): void {
    if (this.isEnded) return
    this.receivedBytes += chunk.length
    this.options.budget.charge(chunk.length)
    this.consume(chunk)
    if (this.options.budget.isSpent && !this.isEnded && !this.isClosed && this.holdsReleasable()) this.pauseForBudget()
  }

  /**
   * Whether bytes this connection holds will leave the budget without reading more: a flush in flight, or complete
   * lines buffered (the timer flushes them). A connection holding only part of one line must read on, or connections
   * each waiting for the rest of a line could hold the whole budget: partial lines are bounded by ILP_LINE_BYTES_MAX
   * per connection instead.
   */
  private holdsReleasable(): boolean {
    return this.flushing !== null || this.parser.pendingLineCount > 0 || completeLineBytes(this.raw.chunks()) > 0
  }

  /** The budget is spent: stop reading until releases make room (the flush timer keeps buffered lines moving). */
  private pauseForBudget(): void {
    if (this.budgetWait !== null) return
    this.socket.pause()
    const resume = (): void => {
      this.budgetWait = null
      if (!this.isEnded && !this.isClosed && !this.isShuttingDown && this.mayRead()) this.socket.resume()
    }
    this.budgetWait = resume
    this.options.budget.waitForRoom(resume)
    if (this.budgetWait !== null) this.armTimer()
  }

  private consume(chunk: Buffer): void {
    this.parser.setNowUs(Date.now() * 1000)
    if (this.pool !== null) return this.onDataPooled(chunk, this.pool)
    if (!this.feedInline(chunk)) return
    if (this.parser.pendingLineCount >= this.flushRows) void this.startFlush(this.parser.drain())
    else this.armTimer()
  }

  /** Feeds the inline parser; false when that made the current line overlong, and the connection is closing. */
  private feedInline(chunk: Buffer): boolean {
    this.parser.feed(chunk)
    if (!this.parser.isDiscardingLine) return true
    log.warn({ peer: this.peer, lineBytesMax: ILP_LINE_BYTES_MAX }, 'ilp tcp: line exceeds the maximum length, closing connection')
    this.options.counters.connectionsOverlong++
    this.socket.pause()
    this.isEnded = true
    void this.startFlush(this.parser.drain()).then(() => this.socket.destroy())
    return false
  }

  /** Pool mode: finish the inline parser's partial line, buffer the rest, hand off a run once enough is buffered. */
  private onDataPooled(chunk: Buffer, pool: IlpParsePool): void {
    let rest = chunk
    if (this.raw.bytes === 0 && this.parser.hasPartialLine) {
      const newline = chunk.indexOf(NEWLINE)
      if (!this.feedInline(newline < 0 ? chunk : chunk.subarray(0, newline + 1))) return
      rest = newline < 0 ? chunk.subarray(chunk.length) : chunk.subarray(newline + 1)
    }
    this.raw.append(rest)
    if (this.raw.bytes >= ILP_TCP_POOL_RUN_BYTES) this.startRun(pool)
    else if (this.parser.pendingLineCount >= this.flushRows) void this.startFlush(this.parser.drain())
    else this.armTimer()
  }

  /** Sends the buffered complete lines to the pool; the partial line after them stays buffered (or ends the stream). */
  private startRun(pool: IlpParsePool): void {
    const staged = this.raw.chunks()
    const runBytes = completeLineBytes(staged)
    if (runBytes === 0) return void this.feedRawInline() // one line of more than ILP_LINE_BYTES_MAX: closes
    const lineCount = countLines(staged[0]!.subarray(0, runBytes))
    if (lineCount < 0) return void this.feedRawInline() // as without a pool: the overlong line ends the connection
    if (this.parser.pendingLineCount > 0) void this.startFlush(this.parser.drain()) // lines before the run go first
    const run = this.raw.takeRun(runBytes) // transferred to the pool's worker without a copy, and back
    this.committedBytes += runBytes
    const lineNumberBase = this.parser.skipLines(lineCount)
    const options = { precision: 'n', nowUs: Date.now() * 1000, lineNumberBase, rowCountHint: lineCount } as const
    let kept: Buffer | null = null // the run, while batches sent without their rows may need it parsed again
    const parsed = pool.parse(run, options, { isBufferOwned: true, encodeAhead: true }).then((pooled) => {
      if (needsInput(pooled.result)) kept = pooled.input
      else this.options.runBuffers.give(pooled.input) // the result holds copies: the run's bytes are not read again
      return withReparse(pooled.result, pooled.input, options)
    }, (error: unknown) => {
      log.error({ err: error, peer: this.peer, bytes: runBytes, firstLine: lineNumberBase + 1 }, 'ilp tcp: parsing a run of lines failed, dropping it')
      return null
    })
    const giveKept = (): void => { if (kept !== null) this.options.runBuffers.give(kept) }
    void this.startFlush(parsed, runBytes).then(giveKept, giveKept)
    if (this.raw.bytes > ILP_LINE_BYTES_MAX) this.feedRawInline() // the partial line is already overlong: closes
  }

  /** Pool mode: parses what is buffered inline (timer, end, shutdown). False when that closed the connection. */
  private feedRawInline(): boolean {
    return this.raw.drain((chunk) => this.feedInline(chunk))
  }

  private onEnd(): void {
    this.isEnded = true
    this.clearTimer()
    // An overlong line here is only reported: the stream has ended.
    this.raw.drain((chunk) => { this.parser.feed(chunk); return true })
    this.raw.release()
    void this.startFlush(this.parser.end()).then(() => this.socket.end())
  }

  /** The listener forgets a connection once its socket closed and its last flush settled (so shutdown waits for it). */
  private onClose(): void {
    this.isClosed = true
    this.clearTimer()
    this.raw.release()
    if (this.budgetWait !== null) this.options.budget.cancel(this.budgetWait)
    this.budgetWait = null
    void (async () => {
      while (this.flushing !== null) await this.flushing
      // What no flush took (bytes of a connection that failed or was dropped) leaves the budget with the connection.
      this.options.budget.release(this.receivedBytes - this.committedBytes)
      this.committedBytes = this.receivedBytes
      this.options.onClosed(this)
    })()
  }

  /**
   * Also armed for bytes no flush took yet, even just part of a line: its flush then takes them off the budget, so
   * connections holding slow senders' partial lines never keep the others paused for longer than the interval.
   */
  private armTimer(): void {
    const isHolding = this.parser.pendingLineCount > 0 || this.raw.bytes > 0 || this.receivedBytes > this.committedBytes
    if (this.timer !== null || !isHolding) return
    this.timer = setTimeout(() => {
      this.timer = null
      if (this.flushing === null && !this.isEnded) {
        // Enough complete lines for the pool go there (as a run would), so a quiet or paused sender's buffer is not
        // parsed on the event loop; the rest (a partial line, a small tail) inline.
        if (this.pool !== null && this.raw.bytes >= ILP_PARSE_POOL_BYTES_MIN) this.startRun(this.pool)
        if (!this.isEnded && this.feedRawInline()) void this.startFlush(this.parser.drain())
      } else this.armTimer()
    }, ILP_TCP_FLUSH_INTERVAL_MS)
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  /**
   * Writes `result` after every flush before it. An inline flush pauses the socket until it is written; a run (being
   * parsed by the pool; null = failed and logged) pauses it only while ILP_TCP_RUNS_IN_FLIGHT_COUNT runs are queued.
   * `runBytes` (a run's size, already taken from `raw`) is absent for an inline flush, which takes every byte the
   * inline parser was fed; either way those bytes leave the budget once the flush settled.
   */
  private startFlush(result: IlpParseResult | Promise<IlpParseResult | null>, runBytes?: number): Promise<void> {
    this.clearTimer()
    const isRun = runBytes !== undefined
    const bytes = runBytes ?? this.receivedBytes - this.raw.bytes - this.committedBytes
    if (!isRun) this.committedBytes += bytes
    if (isRun) this.runsQueued++
    else this.inlineFlushesQueued++
    if (!this.mayRead()) this.socket.pause()
    const previous = this.flushing ?? Promise.resolve()
    const running = previous.then(async () => {
      const parsed = await result
      if (parsed !== null) await this.flush(parsed)
    }).finally(() => {
      if (isRun) this.runsQueued--
      else this.inlineFlushesQueued--
      if (this.flushing === running) this.flushing = null
      this.options.budget.release(bytes)
      if (this.isEnded || this.isClosed) return
      if (this.mayRead()) this.socket.resume()
      // Paused for the budget or not, buffered lines must still reach a flush: the timer hands them on.
      if (this.flushing === null) this.armTimer()
    })
    this.flushing = running
    return running
  }

  private mayRead(): boolean {
    return this.inlineFlushesQueued === 0 && this.runsQueued < ILP_TCP_RUNS_IN_FLIGHT_COUNT && this.budgetWait === null
  }

  /**
   * Logs parse errors, ingests the batches (one sql.ingest per table batch, so a retry after a disk-full refusal never
   * writes a batch twice), logs refused rows. Disk full: wait and retry with the socket paused. Any other engine
   * failure ends the connection.
   */
  private async flush(result: IlpParseResult): Promise<void> {
    this.reportParseErrors(result)
    let batches: ReadonlyArray<IngestBatch> = result.batches
    while (batches.length > 0) {
      const refused: IngestBatch[] = []
      for (let start = 0; start < batches.length; start += ILP_INGEST_TABLES_IN_FLIGHT_COUNT) {
        const group = batches.slice(start, start + ILP_INGEST_TABLES_IN_FLIGHT_COUNT)
        const settled = await Promise.allSettled(group.map((batch) => this.options.sql.ingest([batch])))
        for (const [i, outcome] of settled.entries()) {
          if (outcome.status === 'fulfilled') {
            this.countOutcome(outcome.value)
            this.pool?.recycle(group[i]!)
          }
          else if (isDbError(outcome.reason) && outcome.reason.code === '53100') refused.push(group[i]!)
          else return this.writeFailed(outcome.reason)
        }
      }
      batches = refused
      if (batches.length > 0 && !(await this.waitForDisk(batches))) return
    }
  }

  /** Disk full: pauses (the socket already is, by startFlush) for one probe interval; false when shutting down. */
  private async waitForDisk(batches: ReadonlyArray<IngestBatch>): Promise<boolean> {
    const counters = this.options.counters
    counters.diskFullPauses++
    const rows = batches.reduce((sum, batch) => sum + batch.rowCount, 0)
    if (this.isShuttingDown) {
      log.error({ peer: this.peer, rows }, 'ilp tcp: disk full at shutdown, rows not written')
      return false
    }
    if (Date.now() - counters.diskFullLoggedAtMs >= DISK_FULL_LOG_INTERVAL_MS) {
      counters.diskFullLoggedAtMs = Date.now()
      log.warn({ peer: this.peer, rows }, 'ilp tcp: disk full, not reading from ILP connections until writes resume')
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => { this.retryWait = null; resolve() }, DISK_PROBE_INTERVAL_MS)
      this.retryWait = { timer, wake: resolve }
    })
    return true
  }

  private wakeRetry(): void {
    const wait = this.retryWait
    if (wait === null) return
    this.retryWait = null
    clearTimeout(wait.timer)
    wait.wake()
  }

  private writeFailed(error: unknown): void {
    log.error({ err: error, peer: this.peer }, 'ilp tcp: write failed, closing connection')
    this.isEnded = true
    this.socket.destroy()
  }

  private countOutcome(outcome: IngestOutcome): void {
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
