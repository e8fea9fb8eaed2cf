// engine/core/scan-streams: one core's streaming raw scans — their cursors and credit. The core loop steps every
// stream that has credit once per tick, between requests, so ingests keep flowing while a long scan answers.
// Runs inside a worker; knows nothing of files or SQL.
import { ColumnDataRowEncoder, type DataRowEncoding } from '../../src/common/datarow-encoder.js'
import { CORE_SORT_STEP_MS } from '../../src/common/limits.js'
import { log } from '../../src/common/log.js'
import { isEngineFailureError } from '../api.js'
import type { RowsPartial } from '../batch.js'
import type { CoreResponse, ScanCancelRequest, ScanCreditRequest, StreamScanRequest } from '../bridge/messages.js'
import type { ScanCursor } from '../timeseries/scan-cursor.js'
import type { CoreStorage } from './core-storage.js'
import { CoreSort } from './sort-scan.js'

/**
 * What an empty last batch carries: the control side takes no rows from a batch of none (StreamMerger.receive), so
 * its column vectors (one typed array each, 21 for TSBS's cpu table) were encoded here and decoded there for nothing —
 * on every streamed query, whose last step (and a core without the query's rows) is empty.
 */
const NO_ROWS: RowsPartial = { kind: 'RowsPartial', rowCount: 0, columns: [] }

interface OpenStream {
  readonly cursor: ScanCursor
  /** Batches the consumer will still accept (invariant 4: a slow consumer stops the scan, not grows a queue). */
  creditCount: number
  /** Set: batches go as DataRow bytes of these result columns, encoded here (the two cores encode in parallel). */
  readonly encoding: DataRowEncoding | undefined
  /** A batch went as vectors (a column with no DataRow writer): logged once per stream. */
  hasSentVectors: boolean
  /** Set: an ORDER BY on this core (sort-scan.ts); it reads and sorts with or without credit, then sends with it. */
  readonly sort?: CoreSort
}

export class ScanStreams {
  // Insertion order: each tick steps the streams in the order they were opened (fair enough for a few streams).
  private readonly streams = new Map<number, OpenStream>()
  private encoder: ColumnDataRowEncoder | null = null

  constructor(private readonly storage: CoreStorage, private readonly coreId: number) {}

  /** Some stream may send a batch now: the core must not sleep. */
  get hasWork(): boolean {
    for (const stream of this.streams.values()) if (stream.creditCount > 0 || stream.sort?.isSorted === false) return true
    return false
  }

  /** Streams open on this core (tests and stats). */
  get openCount(): number {
    return this.streams.size
  }

  /** Takes the stream's snapshot now (see CoreStorage.openScanCursor); a failure answers at once and ends it. */
  open(request: StreamScanRequest): CoreResponse | undefined {
    try {
      const cursor = this.storage.openScanCursor(request.op, request.segments)
      if (cursor === undefined) {
        return failure(request.id, 'NoSuchTable', `table ${request.op.tableId} is not registered`)
      }
      const sort = request.sort === undefined ? {} : { sort: new CoreSort(cursor, request.sort, request.encoding!) }
      this.streams.set(request.id, { cursor, creditCount: request.creditCount, encoding: request.encoding, hasSentVectors: false, ...sort })
      if (request.sort !== undefined) log.debug({ core: this.coreId, stream: request.id }, 'core sorts a scan stream')
      else if (request.encoding !== undefined) log.debug({ core: this.coreId, stream: request.id }, 'core encodes a scan stream\'s DataRows')
      return undefined
    } catch (error) {
      if (isEngineFailureError(error)) return failure(request.id, error.failure.kind, error.failure.detail)
      throw error
    }
  }

  /** Credit for a stream that already ended (its last batch crossed the credit on the ring) is ignored. */
  credit(request: ScanCreditRequest): void {
    const stream = this.streams.get(request.streamId)
    if (stream !== undefined) stream.creditCount += request.creditCount
  }

  /** Drops the cursor (and what it decoded); the answer tells the control side no batch of the stream follows. */
  cancel(request: ScanCancelRequest): CoreResponse {
    const stream = this.streams.get(request.streamId)
    if (stream !== undefined) {
      stream.cursor.close()
      stream.sort?.release()
      this.streams.delete(request.streamId)
      log.debug({ core: this.coreId, stream: request.streamId }, 'core stopped a cancelled scan stream')
    }
    return { kind: 'DoneResponse', id: request.id }
  }

  /** One bounded step of every stream with credit; the batches (and failures) to send, in order. */
  step(): CoreResponse[] {
    const responses: CoreResponse[] = []
    for (const [id, stream] of this.streams) {
      if (stream.creditCount <= 0 && stream.sort?.isSorted !== false) continue
      try {
        if (stream.sort !== undefined) {
          const response = this.stepSorted(id, stream, stream.sort)
          if (response !== undefined) responses.push(response)
          continue
        }
        const partial = stream.encoding === undefined ? stream.cursor.step() : this.encodedStep(stream, stream.encoding)
        const isLast = stream.cursor.isDone
        // An empty step (a selective filter) costs no credit and sends nothing, unless it ends the stream.
        if (partial.rowCount === 0 && !isLast) continue
        stream.creditCount -= 1
        responses.push({ kind: 'ScanBatchResponse', id, partial: partial.rowCount === 0 ? NO_ROWS : partial, isLast })
        if (isLast) this.streams.delete(id)
      } catch (error) {
        if (!isEngineFailureError(error)) throw error
        this.streams.delete(id)
        responses.push(failure(id, error.failure.kind, error.failure.detail))
      }
    }
    return responses
  }

  /** A sort's next CORE_SORT_STEP_MS of reading and sorting, or once sorted (and with credit) its next batch. */
  private stepSorted(id: number, stream: OpenStream, sort: CoreSort): CoreResponse | undefined {
    if (!sort.isSorted) sort.work(performance.now() + CORE_SORT_STEP_MS)
    if (!sort.isSorted || stream.creditCount <= 0) return undefined
    stream.creditCount -= 1
    const partial = sort.take(this.encoder ??= new ColumnDataRowEncoder())
    if (sort.isDone) this.streams.delete(id)
    return { kind: 'ScanBatchResponse', id, partial, isLast: sort.isDone }
  }

  /**
   * The stream's next step as DataRow bytes, written from the selected rows where they lie (no vectors gathered
   * first), when every column has a writer; else as vectors.
   */
  private encodedStep(stream: OpenStream, encoding: DataRowEncoding): RowsPartial {
    const { cursor } = stream
    const selections = cursor.stepSelections()
    let rowCount = 0
    for (const selection of selections) rowCount += selection.count
    if (rowCount === 0) return cursor.rowsOf(selections)
    this.encoder ??= new ColumnDataRowEncoder()
    const parts = selections.map((selection) => ({ columns: cursor.projectedColumns(selection), rows: selection.rows, count: selection.count }))
    const encoded = this.encoder.encodeParts(parts, rowCount, encoding)
    if (encoded !== null) return { kind: 'RowsPartial', rowCount, columns: [], encoded }
    if (!stream.hasSentVectors) log.debug({ core: this.coreId }, 'core sends a scan stream\'s batches as vectors: a column has no DataRow writer')
    stream.hasSentVectors = true
    return cursor.rowsOf(selections)
  }
}

function failure(id: number, kind: Extract<CoreResponse, { kind: 'FailureResponse' }>['failure']['kind'], detail: string): CoreResponse {
  return { kind: 'FailureResponse', id, failure: { kind, detail } }
}
