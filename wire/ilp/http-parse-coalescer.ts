// wire/ilp/http-parse-coalescer: parses the bodies of concurrent HTTP write requests together. While the parse pool's
// workers are all busy, bodies that arrive (of the same precision) wait and are then parsed as ONE payload, side by
// side (a '\n' added where a body lacks its last one), so each worker round trip and each parse carries several
// small bodies instead of one; and while a connection writing lately was answered and has not sent its next body
// (http-writers.ts), the queued ones wait up to ILP_HTTP_GROUP_HOLD_MS for it (holds()). In the pool (payloads of ILP_PARSE_POOL_BYTES_MIN or more) the worker also encodes
// the records' payloads and says which body each row came from (request-parts.ts), and the group's rows are written
// together, each request answered as alone (http-group-write.ts): the event loop neither slices nor joins rows nor
// encodes them, as for a TCP run. Inline (smaller payloads, on the event loop) each request gets its own rows back
// (sliceBatch: its line range, renumbered) for the IngestCoalescer to join. Exactness: a body parsed with others
// yields the rows it yields alone, except where the parser compares lines with each other (a field's type against
// an earlier line's); so a joined parse that reports any error is thrown away and every body of it parsed alone.
// Lines without a timestamp take the first request's arrival time. Knows nothing of HTTP or storage.
import { ILP_HTTP_COALESCE_BYTES_MAX, ILP_HTTP_GROUP_HOLD_BYTES, ILP_HTTP_GROUP_HOLD_MS, ILP_PARSE_POOL_BYTES_MIN } from '../../src/common/limits.js'
import type { IngestOutcome, SqlFacade } from '../../sql/api.js'
import { sliceBatch } from './batch-concat.js'
import type { IlpHttpBudget } from './http-budget.js'
import { GroupWrite } from './http-group-write.js'
import { markStage } from './http-timeline.js'
import { ActiveWriters } from './http-writers.js'
import { IlpParser, type IlpParseOptions, type IlpParseResult } from './ilp-parser.js'
import type { LineBatch } from './line-batch.js'
import type { LineParsers } from './line-parser.js'
import type { IlpParseBodiesResult, IlpParsePool } from './parse-pool.js'
import { lineCountOf, needsNewline } from './request-parts.js'
import { withReparse } from './run-reparse.js'

export { lineCountOf } from './request-parts.js'

/** What a request gets: its parse result and its body's bytes (the pool hands a transferred buffer back). */
export interface CoalescedParse {
  /** The request's own parse errors and line count; its rows in `batches` unless `written` is set. */
  readonly parsed: IlpParseResult
  readonly body: Buffer
  /** Set when the request's rows are being written with its group's (GroupWrite): its outcome, instead of ingesting `parsed.batches`. */
  readonly written?: () => Promise<IngestOutcome>
}

interface Waiting {
  /** The request's connection (ActiveWriters), or null when unknown (then it waits for no one). */
  readonly writer: object | null
  readonly body: Buffer
  /** The body's buffer is the caller's to transfer whole (an IngestBufferPool buffer). */
  readonly isOwned: boolean
  readonly options: IlpParseOptions
  readonly resolve: (parsed: CoalescedParse) => void
  readonly reject: (error: unknown) => void
}

const NEWLINE = 10

export class ParseCoalescer {
  private readonly queue: Waiting[] = []
  private inFlight = 0
  private readonly inFlightMax: number
  /** sql.ingest calls of groups parsed in the pool, and requests they carried (tests and logs). */
  callCount = 0
  requestCount = 0
  /** While set, the queued bodies wait for other writers' (see holds()); when it fires they go as they are. */
  private holdTimer: NodeJS.Timeout | null = null
  private isHoldOver = false

  constructor(private readonly sql: SqlFacade, private readonly pool: IlpParsePool | null, private readonly lineParsers?: LineParsers,
    private readonly bytesMax = ILP_HTTP_COALESCE_BYTES_MAX, private readonly holdMs = ILP_HTTP_GROUP_HOLD_MS,
    private readonly budget: IlpHttpBudget | null = null, private readonly writers = new ActiveWriters()) {
    this.inFlightMax = pool === null ? 1 : pool.size
  }

  /**
   * parseLines(body, options)'s result for this request alone; rejects as the parse pool does. `writer` (the
   * request's connection) lets bodies of several connections writing at once wait for each other (holds()).
   */
  parse(body: Buffer, options: IlpParseOptions, isOwned: boolean, writer: object | null = null): Promise<CoalescedParse> {
    if (writer !== null) this.writers.note(writer)
    markStage(writer, 'queued')
    return new Promise<CoalescedParse>((resolve, reject) => {
      this.queue.push({ writer, body, isOwned, options, resolve, reject })
      this.pump()
    })
  }

  /** `writer`'s request was answered: a hold may wait for its next body (http-writers.ts). */
  answered(writer: object): void {
    this.writers.answered(writer)
  }

  /** `writer`'s connection closed: no body of it is to wait for. */
  forget(writer: object): void {
    if (this.writers.forget(writer)) this.pump()
  }

  private pump(): void {
    while (this.inFlight < this.inFlightMax && this.queue.length > 0) {
      if (this.holds()) return
      if (this.holdTimer !== null) clearTimeout(this.holdTimer)
      this.holdTimer = null
      this.isHoldOver = false
      const group = this.takeGroup()
      for (const waiting of group) markStage(waiting.writer, 'posted')
      this.inFlight++
      // A throw past the pool's answer must not leave the group's requests waiting forever (settled ones ignore it).
      void this.run(group).catch((error: unknown) => { for (const write of group) write.reject(error) }).finally(() => {
        this.inFlight--
        this.pump()
      })
    }
  }

  /**
   * Whether the queued bodies wait (at most holdMs) for those of the other connections writing now: each client
   * sends its next body only once answered, so bodies taken as soon as the worker is free were parsed and written a
   * body or two at a time (in cohorts), and each job and record has a fixed cost in the worker and on every core. A
   * lone writer never waits, nor bodies of ILP_HTTP_GROUP_HOLD_BYTES together (TSBS's 5,000-line bodies: holding them
   * only cost rows/s), nor for a connection that closed (a client opening one per request: forget()) or whose request
   * is still being parsed or written (its next body is a WAL fsync away: only answered ones are waited for).
   */
  private holds(): boolean {
    // Requests waiting for the budget are not read until held bytes are released: waiting for their bodies is in vain.
    if (this.pool === null || this.holdMs === 0 || this.isHoldOver || this.budget?.hasWaiters === true) return false
    // Bodies below the pool's size parse inline unless held: holding them moves them to the pool (16 writers of
    // 200-line bodies measured 10-12 → 14.5-15 CPU s per M rows there), so only bodies the pool parses anyway wait.
    if (this.queue[0]!.body.length < ILP_PARSE_POOL_BYTES_MIN) return false
    let bytes = 0
    const queuedWriters = new Set<object>()
    for (const waiting of this.queue) {
      bytes += waiting.body.length + 1
      if (waiting.writer !== null) queuedWriters.add(waiting.writer)
    }
    if (bytes >= Math.min(this.bytesMax, ILP_HTTP_GROUP_HOLD_BYTES) || queuedWriters.size === 0 || this.writers.returningCount === 0) return false
    this.holdTimer ??= setTimeout(() => {
      this.holdTimer = null
      this.isHoldOver = true
      this.pump()
    }, this.holdMs)
    return true
  }

  private takeGroup(): Waiting[] {
    const group = [this.queue.shift()!]
    let bytes = group[0]!.body.length
    while (this.queue.length > 0) {
      const next = this.queue[0]!
      if (next.options.precision !== group[0]!.options.precision || bytes + next.body.length + 1 > this.bytesMax) break
      bytes += next.body.length + 1
      group.push(this.queue.shift()!)
    }
    return group
  }

  private async run(group: ReadonlyArray<Waiting>): Promise<void> {
    const bytes = group.reduce((sum, write) => sum + write.body.length, 0)
    if (this.pool !== null && bytes >= ILP_PARSE_POOL_BYTES_MIN) return this.runPooled(this.pool, group)
    if (group.length === 1) return this.runAlone(group[0]!)
    const lineCounts = group.map((write) => lineCountOf(write.body))
    const joined = joinBodies(group.map((write) => write.body))
    let parsed: IlpParseResult
    try {
      parsed = (await this.parseOne(joined, group[0]!.options)).parsed
    } catch (error) {
      for (const write of group) write.reject(error)
      return
    }
    if (parsed.errorCount > 0) {
      await Promise.all(group.map((write) => this.runAlone(write)))
      return
    }
    let lineFrom = 0
    group.forEach((write, i) => {
      const lineTo = lineFrom + lineCounts[i]!
      const batches = parsed.batches.map((batch) => sliceBatch(batch, lineFrom, lineTo)).filter((batch): batch is LineBatch => batch !== null)
      write.resolve({ parsed: { batches, errors: [], errorCount: 0, lineCount: lineCounts[i]! }, body: write.body })
      lineFrom = lineTo
    })
  }

  private async runAlone(write: Waiting): Promise<void> {
    try {
      write.resolve(await this.parseOne(write.body, write.options))
    } catch (error) {
      write.reject(error)
    }
  }

  /** Inline, with the listener's warm line parsers. */
  private async parseOne(body: Buffer, options: IlpParseOptions): Promise<CoalescedParse> {
    const parser = new IlpParser(options, this.lineParsers?.of(options.precision))
    parser.feed(body)
    return { parsed: parser.end(), body }
  }

  /**
   * The group's bodies parsed and encoded in one pool job (each body its own transferred buffer: no joined copy) and
   * written together (GroupWrite); when a joined parse reports an error, each body again alone.
   */
  private async runPooled(pool: IlpParsePool, group: ReadonlyArray<Waiting>): Promise<void> {
    const options = group[0]!.options
    let pooled: IlpParseBodiesResult
    try {
      pooled = await pool.parseBodies(group, options)
    } catch (error) {
      for (const write of group) write.reject(error)
      return
    }
    const { result, parts, bodies } = pooled
    for (const waiting of group) markStage(waiting.writer, 'parsed')
    if (group.length > 1 && result.errorCount > 0) {
      for (const batch of result.batches) pool.recycle(batch)
      // The transfer detached the bodies: the retries parse the ones handed back.
      const handedBack = group.map((write, i) => ({ ...write, body: bodies[i]! }))
      // The bodies before the first failing line's parse side by side as they did here (without an error); that
      // body and the ones after it each alone, where no other body's lines can bear on theirs.
      let failing = 0
      // Bounded by the group: each retry is a strictly smaller group, whatever line an error names.
      for (let lineTo = parts.lineCounts[0]!; lineTo < result.errors[0]!.line && failing < group.length - 1; lineTo += parts.lineCounts[++failing]!);
      const rest = handedBack.slice(failing).map((write) => this.runPooled(pool, [write]))
      await Promise.all(failing > 0 ? [this.runPooled(pool, handedBack.slice(0, failing)), ...rest] : rest)
      return
    }
    // Batches sent lean are parsed again from the bodies, kept until written, should a schema change race the write.
    const batches = withReparse(result, bodies, options).batches
    const write = new GroupWrite(this.sql, batches, parts, (batch) => pool.recycle(batch))
    this.callCount += batches.length
    this.requestCount += group.length
    const isAlone = group.length === 1
    group.forEach((waiting, i) => {
      const errors = isAlone ? { errors: result.errors, errorCount: result.errorCount } : { errors: [], errorCount: 0 }
      const parsed: IlpParseResult = { batches: [], ...errors, lineCount: parts.lineCounts[i]! }
      waiting.resolve({ parsed, body: bodies[i]!, written: () => write.outcomeOf(i) })
    })
  }
}

/** The bodies side by side, each ending in '\n'. */
function joinBodies(bodies: ReadonlyArray<Buffer>): Buffer {
  const total = bodies.reduce((sum, body) => sum + body.length + (needsNewline(body) ? 1 : 0), 0)
  const joined = Buffer.allocUnsafe(total)
  let at = 0
  for (const body of bodies) {
    at += body.copy(joined, at)
    if (needsNewline(body)) joined[at++] = NEWLINE
  }
  return joined
}
