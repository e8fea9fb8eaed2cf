// wire/ilp/http-group-write: writes the rows of the HTTP requests one parse job parsed side by side (a group of one
// when a body was parsed alone; http-parse-coalescer.ts) and answers each request as sql.ingest of its rows alone
// would. The worker encoded the batches' record payloads ahead (ingest-ahead.ts), so each batch is written as it came,
// one sql.ingest (one IngestOp, one WAL record) per measurement for all the group's requests together. A request's
// outcome is its own: it fails only when a write holding its rows failed (a failure never reaches a request whose rows
// were written), and it gets back the refused lines of its own line range, renumbered (lines are refused only when a
// schema change raced the parse and the rows were parsed again). Knows nothing of HTTP or storage.
import { ILP_ERRORS_KEPT_MAX_COUNT, ILP_INGEST_TABLES_IN_FLIGHT_COUNT } from '../../src/common/limits.js'
import type { IngestLineError, IngestOutcome, SqlFacade } from '../../sql/api.js'
import type { LineBatch } from './line-batch.js'
import type { RequestParts } from './request-parts.js'

export class GroupWrite {
  /** Each batch's write, settled; every batch is written (or refused) whatever became of the others. */
  private readonly settled: Promise<Array<PromiseSettledResult<IngestOutcome>>>
  /** What each request's line numbers were shifted by in the joined payload. */
  private readonly lineOffsets: number[] = []

  /** Starts writing `batches` (parsed from the bodies `parts` describes); `onSettled` gets each once it is written or refused. */
  constructor(sql: SqlFacade, batches: ReadonlyArray<LineBatch>, private readonly parts: RequestParts,
    onSettled: (batch: LineBatch) => void) {
    let offset = 0
    for (const lineCount of parts.lineCounts) {
      this.lineOffsets.push(offset)
      offset += lineCount
    }
    this.settled = writeAll(sql, batches, onSettled)
  }

  /** Request `index`'s outcome as sql.ingest of its rows alone would settle; rejects when a write of its rows failed. */
  async outcomeOf(index: number): Promise<IngestOutcome> {
    const settled = await this.settled
    const lineFrom = this.lineOffsets[index]!
    const lineTo = lineFrom + this.parts.lineCounts[index]!
    const errors: IngestLineError[] = []
    let rowCount = 0
    for (const [b, result] of settled.entries()) {
      const rows = this.parts.rows[b]![index]!
      if (rows === 0) continue
      if (result.status === 'rejected') throw result.reason
      rowCount += rows
      for (const error of result.value.errors) {
        if (error.line > lineFrom && error.line <= lineTo) errors.push({ ...error, line: error.line - lineFrom })
      }
    }
    errors.sort((a, b) => a.line - b.line)
    return { rowCount: rowCount - errors.length, errors: errors.slice(0, ILP_ERRORS_KEPT_MAX_COUNT), errorCount: errors.length }
  }
}

/** One sql.ingest per batch, ILP_INGEST_TABLES_IN_FLIGHT_COUNT at a time (as sql.ingest runs a request's tables). */
async function writeAll(sql: SqlFacade, batches: ReadonlyArray<LineBatch>, onSettled: (batch: LineBatch) => void): Promise<Array<PromiseSettledResult<IngestOutcome>>> {
  // Every refused line is kept (bounded by the rows), so each request's count and first lines are exact.
  const errorsKeptMax = Math.max(ILP_ERRORS_KEPT_MAX_COUNT, batches.reduce((sum, batch) => sum + batch.rowCount, 0))
  const settled: Array<PromiseSettledResult<IngestOutcome>> = []
  for (let start = 0; start < batches.length; start += ILP_INGEST_TABLES_IN_FLIGHT_COUNT) {
    const window = batches.slice(start, start + ILP_INGEST_TABLES_IN_FLIGHT_COUNT)
    settled.push(...await Promise.allSettled(window.map((batch) => sql.ingest([batch], { errorsKeptMax }))))
    for (const batch of window) onSettled(batch)
  }
  return settled
}
