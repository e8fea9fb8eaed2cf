// wire/ilp/http-coalescer: joins the rows of concurrent HTTP write requests into fewer, larger sql.ingest calls (one
// WAL record and one core operation for several small bodies instead of one each: the cores' cost is per operation).
// Group commit per measurement, not a timer: a request goes to sql.ingest at once while fewer than
// ILP_HTTP_INGESTS_IN_FLIGHT_COUNT calls of its measurement are running; requests arriving meanwhile wait and are
// joined into the next call when one settles, so no request is acknowledged later than the fsync of the record
// holding its rows; measurements do not wait for each other. Only requests whose rows are all of ONE measurement
// are joined (others go to sql.ingest at once, alone), and only while their column kinds agree: the joined call is
// then one IngestOp, written or refused as a whole, so every request in it gets the answer it would have got alone
// (a failure never reaches a request whose rows were written). Each request's lines are numbered after the previous
// ones' and its refused lines handed back renumbered. Knows nothing of HTTP or storage.
import { ILP_ERRORS_KEPT_MAX_COUNT, ILP_HTTP_COALESCE_BYTES_MAX, ILP_HTTP_INGESTS_IN_FLIGHT_COUNT } from '../../src/common/limits.js'
import type { IngestLineError, IngestOutcome, SqlFacade } from '../../sql/api.js'
import { addKinds, canJoin, type ColumnKinds, concatBatches } from './batch-concat.js'
import type { LineBatch } from './line-batch.js'

/** One request's parsed rows. */
export interface CoalescedWrite {
  readonly batches: ReadonlyArray<LineBatch>
  /** Lines the request's body held (its line numbers run 1..lineCount). */
  readonly lineCount: number
  /** The body's bytes (what a joined call is bounded by). */
  readonly bytes: number
}

interface Waiting extends CoalescedWrite {
  readonly resolve: (outcome: IngestOutcome) => void
  readonly reject: (error: unknown) => void
}

/** The requests of one measurement waiting for its sql.ingest, and how many of its calls run. */
interface Lane {
  readonly queue: Waiting[]
  inFlight: number
}

export class IngestCoalescer {
  private readonly lanes = new Map<string, Lane>()
  /** sql.ingest calls made, and requests they carried (tests and logs). */
  callCount = 0
  requestCount = 0

  constructor(private readonly sql: SqlFacade, private readonly inFlightMax = ILP_HTTP_INGESTS_IN_FLIGHT_COUNT,
    private readonly bytesMax = ILP_HTTP_COALESCE_BYTES_MAX) {}

  /**
   * Writes the request's rows (joined with others' of the same measurement when they wait together); settles as
   * sql.ingest would alone. A request of several measurements goes to sql.ingest at once, alone, as before.
   */
  ingest(write: CoalescedWrite): Promise<IngestOutcome> {
    const measurement = soleMeasurement(write)
    return new Promise<IngestOutcome>((resolve, reject) => {
      const waiting: Waiting = { ...write, resolve, reject }
      if (measurement === null) return void this.start([waiting], null)
      let lane = this.lanes.get(measurement)
      if (lane === undefined) this.lanes.set(measurement, lane = { queue: [], inFlight: 0 })
      lane.queue.push(waiting)
      this.pump(measurement, lane)
    })
  }

  private pump(measurement: string, lane: Lane): void {
    while (lane.inFlight < this.inFlightMax && lane.queue.length > 0) {
      lane.inFlight++
      this.start(this.takeGroup(lane), () => {
        lane.inFlight--
        if (lane.inFlight === 0 && lane.queue.length === 0) this.lanes.delete(measurement)
        else this.pump(measurement, lane)
      })
    }
  }

  private start(group: Waiting[], settled: (() => void) | null): void {
    this.callCount++
    this.requestCount += group.length
    void this.run(group).finally(() => settled?.())
  }

  /** The lane's head and the requests after it that can join it (same column kinds, within bytesMax). */
  private takeGroup(lane: Lane): Waiting[] {
    const first = lane.queue.shift()!
    const group = [first]
    const kinds: ColumnKinds = new Map()
    addKinds(kinds, first.batches[0]!)
    let bytes = first.bytes
    while (lane.queue.length > 0) {
      const next = lane.queue[0]!
      if (bytes + next.bytes > this.bytesMax || !canJoin(kinds, next.batches[0]!)) break
      addKinds(kinds, next.batches[0]!)
      bytes += next.bytes
      group.push(lane.queue.shift()!)
    }
    return group
  }

  private async run(group: ReadonlyArray<Waiting>): Promise<void> {
    if (group.length === 1) {
      const only = group[0]!
      try {
        only.resolve(await this.sql.ingest(only.batches))
      } catch (error) {
        only.reject(error)
      }
      return
    }
    const offsets: number[] = []
    let lineOffset = 0
    for (const write of group) {
      offsets.push(lineOffset)
      lineOffset += write.lineCount
    }
    const joined = concatBatches(group.map((write, i) => ({ batch: write.batches[0]!, lineOffset: offsets[i]! })))
    let outcome: IngestOutcome
    try {
      // Every refused line is kept (bounded by the joined rows), so each request's count and first line are exact.
      outcome = await this.sql.ingest([joined], { errorsKeptMax: Math.max(1, joined.rowCount) })
    } catch (error) {
      for (const write of group) write.reject(error)
      return
    }
    splitOutcome(group, offsets, outcome)
  }
}

/** The measurement of a request whose rows are all of one; null for several (or none). */
function soleMeasurement(write: CoalescedWrite): string | null {
  return write.batches.length === 1 ? write.batches[0]!.measurement : null
}

/** Hands each request its own rows' outcome: refused lines by line range, renumbered; written rows the rest. */
function splitOutcome(group: ReadonlyArray<Waiting>, offsets: ReadonlyArray<number>, outcome: IngestOutcome): void {
  const errorsOf: IngestLineError[][] = group.map(() => [])
  let at = 0
  for (const error of outcome.errors) {
    while (at + 1 < group.length && error.line > offsets[at + 1]!) at++
    errorsOf[at]!.push({ ...error, line: error.line - offsets[at]! })
  }
  group.forEach((write, i) => {
    const errors = errorsOf[i]!
    const rows = write.batches[0]!.rowCount
    write.resolve({ rowCount: rows - errors.length, errors: errors.slice(0, ILP_ERRORS_KEPT_MAX_COUNT), errorCount: errors.length })
  })
}
