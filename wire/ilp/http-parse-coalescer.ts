// wire/ilp/http-parse-coalescer: parses the bodies of concurrent HTTP write requests together. While the parse pool's
// workers are all busy, bodies that arrive (of the same precision) wait and are then parsed as ONE payload, side by
// side (a '\n' added where a body lacks its last one), so each worker round trip and each parse carries several
// small bodies instead of one; each request then gets its own rows back (sliceBatch: its line range, renumbered).
// Exactness: a body parsed with others yields the rows it yields alone, except where the parser compares lines with
// each other (a field's type against an earlier line's); so a joined parse that reports any error is thrown away and
// every body of it parsed alone. Lines without a timestamp take the first request's arrival time. Small payloads
// parse inline on the event loop, as before (ILP_PARSE_POOL_BYTES_MIN). Knows nothing of HTTP or storage.
import { ILP_HTTP_COALESCE_BYTES_MAX, ILP_PARSE_POOL_BYTES_MIN } from '../../src/common/limits.js'
import { sliceBatch } from './batch-concat.js'
import { IlpParser, type IlpParseOptions, type IlpParseResult } from './ilp-parser.js'
import type { LineBatch } from './line-batch.js'
import type { LineParsers } from './line-parser.js'
import { defaultParsePoolSize, type IlpParsePool } from './parse-pool.js'

/** What a request gets: its parse result and its body's bytes (the pool hands a transferred buffer back). */
export interface CoalescedParse {
  readonly parsed: IlpParseResult
  readonly body: Buffer
}

interface Waiting {
  readonly body: Buffer
  /** The body's buffer is the caller's to transfer whole (an IngestBufferPool buffer). */
  readonly isOwned: boolean
  readonly options: IlpParseOptions
  readonly resolve: (parsed: CoalescedParse) => void
  readonly reject: (error: unknown) => void
}

const NEWLINE = 10

/** Lines the parser counts in `body`: '\n'-terminated ones plus a final unterminated one. */
export function lineCountOf(body: Buffer): number {
  let count = 0
  for (let at = body.indexOf(NEWLINE); at >= 0; at = body.indexOf(NEWLINE, at + 1)) count++
  return body.length > 0 && body[body.length - 1] !== NEWLINE ? count + 1 : count
}

export class ParseCoalescer {
  private readonly queue: Waiting[] = []
  private inFlight = 0
  private readonly inFlightMax: number

  constructor(private readonly pool: IlpParsePool | null, private readonly lineParsers?: LineParsers,
    private readonly bytesMax = ILP_HTTP_COALESCE_BYTES_MAX) {
    this.inFlightMax = pool === null ? 1 : defaultParsePoolSize()
  }

  /** parseLines(body, options)'s result for this request alone; rejects as the parse pool does. */
  parse(body: Buffer, options: IlpParseOptions, isOwned: boolean): Promise<CoalescedParse> {
    return new Promise<CoalescedParse>((resolve, reject) => {
      this.queue.push({ body, isOwned, options, resolve, reject })
      this.pump()
    })
  }

  private pump(): void {
    while (this.inFlight < this.inFlightMax && this.queue.length > 0) {
      const group = this.takeGroup()
      this.inFlight++
      void this.run(group).finally(() => {
        this.inFlight--
        this.pump()
      })
    }
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
    if (group.length === 1) return this.runAlone(group[0]!)
    const lineCounts = group.map((write) => lineCountOf(write.body))
    const joined = joinBodies(group.map((write) => write.body))
    let parsed: IlpParseResult
    try {
      parsed = (await this.parseOne(joined, group[0]!.options, true)).parsed
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
      write.resolve(await this.parseOne(write.body, write.options, write.isOwned))
    } catch (error) {
      write.reject(error)
    }
  }

  /** Inline when small or without a pool (the listener's warm line parsers), else in the pool. */
  private async parseOne(body: Buffer, options: IlpParseOptions, isOwned: boolean): Promise<CoalescedParse> {
    if (this.pool === null || body.length < ILP_PARSE_POOL_BYTES_MIN) {
      const parser = new IlpParser(options, this.lineParsers?.of(options.precision))
      parser.feed(body)
      return { parsed: parser.end(), body }
    }
    const pooled = await this.pool.parse(body, options, isOwned)
    return { parsed: pooled.result, body: pooled.input }
  }
}

/** The bodies side by side, each ending in '\n'. */
function joinBodies(bodies: ReadonlyArray<Buffer>): Buffer {
  const needsNewline = (body: Buffer): boolean => body.length > 0 && body[body.length - 1] !== NEWLINE
  const total = bodies.reduce((sum, body) => sum + body.length + (needsNewline(body) ? 1 : 0), 0)
  const joined = Buffer.allocUnsafe(total)
  let at = 0
  for (const body of bodies) {
    at += body.copy(joined, at)
    if (needsNewline(body)) joined[at++] = NEWLINE
  }
  return joined
}
