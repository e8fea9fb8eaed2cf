// wire/pg/cursors: FETCH and MOVE over a portal's ResultCursor (a DECLAREd cursor or a named protocol portal, one
// namespace as in PostgreSQL). A FETCH is a RowStream over the cursor that ends after its count: rows are pulled
// from the held scan batch by batch as the client takes them, never gathered first (invariant 4).
import type { CursorFetch, RowBatch, RowStream, StatementDescription, StatementResult } from '../../sql/api.js'
import type { Portal } from './prepared-statement.js'
import type { ResultCursor } from './result-writer.js'

/** FETCH / MOVE from a portal: a stream of its next rows, or the count skipped. */
export function fetchFrom(portal: Portal, fetch: CursorFetch, signal?: AbortSignal): Promise<StatementResult> | StatementResult {
  if (portal.cursor === null) return noRows(fetch)
  return fetch.isMove ? moveResult(portal.cursor, fetch.count, signal) : fetchResult(portal.cursor, fetch, portal.isBinary)
}

/** Describe of a FETCH from a portal: its cursor's columns. */
export function describeFetchOf(portal: Portal): StatementDescription {
  return { paramTypeOids: [], fields: portal.cursor === null ? null : portal.cursor.fields }
}

/** FETCH count rows (null: ALL) from the cursor as a stream whose tag is 'FETCH n'. */
function fetchResult(cursor: ResultCursor, fetch: CursorFetch, isBinary: boolean): StatementResult {
  return { kind: 'RowStreamResult', fields: cursor.fields, stream: fetchStream(cursor, fetch.count), command: 'FETCH', isBinary }
}

/**
 * MOVE count rows (null: ALL) forward without sending them: 'MOVE n' counts the rows skipped. The statement's signal
 * (CancelRequest, statement_timeout) stops it between batches, so a cancelled MOVE ALL does not scan on unseen.
 */
async function moveResult(cursor: ResultCursor, count: number | null, signal?: AbortSignal): Promise<StatementResult> {
  let movedCount = 0
  while (signal?.aborted !== true) {
    const rows = await cursor.take(count === null ? Number.POSITIVE_INFINITY : count - movedCount)
    if (rows === null) break
    movedCount += rows.length
    if (count !== null && movedCount >= count) break
  }
  return { kind: 'CommandResult', commandTag: `MOVE ${movedCount}` }
}

/**
 * A view of the next `count` rows of the cursor. Cancelling the view (its statement cancelled, its own ResultCursor
 * closed) stops the view only: the portal and its scan stay, as a cursor outlives one FETCH.
 */
function fetchStream(cursor: ResultCursor, count: number | null): RowStream {
  let rowCount = 0
  let isCancelled = false
  async function* batches(): AsyncGenerator<RowBatch> {
    while (!isCancelled && (count === null || rowCount < count)) {
      const rows = await cursor.take(count === null ? Number.POSITIVE_INFINITY : count - rowCount)
      if (rows === null) return
      rowCount += rows.length
      yield rows
    }
  }
  return {
    get rowCount() { return rowCount },
    cancel() { isCancelled = true },
    [Symbol.asyncIterator]: batches,
  }
}

/** FETCH from a portal that answered no rows (e.g. a protocol portal of an INSERT): PostgreSQL's "FETCH 0". */
function noRows(fetch: CursorFetch): StatementResult {
  return { kind: 'CommandResult', commandTag: fetch.isMove ? 'MOVE 0' : 'FETCH 0' }
}
