// sql/exec/copy-in: the CopyInSink of COPY t [(cols)] FROM STDIN. The rows are parsed by CopyRows (copy-rows.ts):
// on the event loop for a COPY whose first CopyData is small (yielding every COPY_PARSE_YIELD_BYTES), in a COPY parse
// worker (copy-parse-pool.ts) when it is at least COPY_WORKER_FIRST_DATA_BYTES — the same code and the same errors
// either way. CopyDone writes the rows as ONE IngestOp, so one WAL record: the COPY is atomic and `COPY n` is
// acknowledged only once durable. A worker also encodes the record's payloads (IngestOp.encoded), so the event loop
// only writes them; their buffers go back to the worker once written. Outside a transaction the rows stay in the
// worker (lean): the IngestOp carries the payloads and only the batch's shape, and the rows cross only when the
// engine finds the payloads stale (writeEncoded).
import { encodedTransferables, type EncodedIngest, type Engine } from '../../engine/api.js'
import type { ColumnBatch } from '../../engine/batch.js'
import { OP_VERSION, type IngestOp } from '../../engine/ops.js'
import { COPY_PARSE_YIELD_BYTES, COPY_WORKER_CHUNKS_IN_FLIGHT_COUNT, COPY_WORKER_FIRST_DATA_BYTES } from '../../src/common/limits.js'
import type { CopyInSink } from '../api.js'
import type { FunctionContext } from '../functions/function-def.js'
import { withEngineErrors } from '../errors.js'
import { copyParsePool, type CopyWorkerRequest } from './copy-parse-pool.js'
import { CopyRows, type BoundCopyFrom } from './copy-rows.js'
import { fillDefaults } from '../ingest/ingest-defaults.js'
import { writeEncoded } from '../ingest/ingest-ahead.js'

export type { BoundCopyFrom } from './copy-rows.js'

/** Atomics.waitAsync (Node 20 has it; TypeScript's ES2022 library does not declare it). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: false; value: string } | { async: true; value: Promise<string> }
}).waitAsync

/**
 * Bytes whose buffer may be transferred to a worker: `data` itself when it is the whole of a buffer of its own (the
 * framer copies a CopyData that spans socket reads into such a buffer, and nothing else keeps it), else a copy (a
 * view into a socket read, or a slice of Node's shared pool).
 */
function ownedBytes(data: Uint8Array): Uint8Array {
  const isWhole = data.buffer instanceof ArrayBuffer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
  if (isWhole && data.byteLength >= COPY_WORKER_FIRST_DATA_BYTES) return data
  const bytes = new Uint8Array(data.byteLength)
  bytes.set(data)
  return bytes
}

/** Writes a COPY's rows as one IngestOp; resolves with the command tag. */
async function ingest(engine: Engine, bound: BoundCopyFrom, parsed: ColumnBatch, functions: FunctionContext, encoded?: EncodedIngest): Promise<string> {
  // Volatile defaults of the columns the COPY leaves out: one value per row, here on the control thread (the parse
  // worker encoded no payloads then).
  const volatile = bound.volatileDefaults
  const batch = volatile === undefined || parsed.rowCount === 0 ? parsed : fillDefaults(engine, bound.table, parsed, new Set(volatile), functions)
  if (batch.rowCount > 0) {
    const op: IngestOp = { kind: 'IngestOp', v: OP_VERSION, tableId: bound.table.id, batch, ...(encoded === undefined ? {} : { encoded }) }
    await withEngineErrors(() => engine.execute(op))
  }
  return `COPY ${batch.rowCount}`
}

/** What a COPY parse worker hands back at CopyDone (`batch` null: lean, the payloads carry the rows). */
interface ParsedCopy { readonly batch: ColumnBatch | null; readonly encoded: EncodedIngest | undefined }

/** Parses on the event loop, yielding it every COPY_PARSE_YIELD_BYTES. */
class InlineCopySink implements CopyInSink {
  private readonly rows: CopyRows
  private bytesSinceYield = 0

  constructor(private readonly engine: Engine, private readonly bound: BoundCopyFrom, private readonly functions: FunctionContext) {
    this.rows = new CopyRows(bound, functions)
  }

  write(data: Uint8Array): Promise<void> | undefined {
    this.rows.push(data)
    this.bytesSinceYield += data.byteLength
    if (this.bytesSinceYield < COPY_PARSE_YIELD_BYTES) return undefined
    this.bytesSinceYield = 0
    return new Promise((resolve) => setImmediate(resolve))
  }

  async finish(): Promise<string> {
    this.rows.end()
    try {
      return await ingest(this.engine, this.bound, this.rows.batch(), this.functions)
    } finally {
      this.rows.release()
    }
  }

  abort(): void {
    this.rows.abort()
  }
}

/**
 * Parses in a COPY parse worker. A write waits only when COPY_WORKER_CHUNKS_IN_FLIGHT_COUNT chunks are unparsed; an
 * error the worker finds meanwhile is handed to the session at once (onFailure), as PostgreSQL reports a bad row
 * while the client is still sending.
 */
class WorkerCopySink implements CopyInSink {
  private readonly post: (request: CopyWorkerRequest, transfer?: ArrayBuffer[]) => void
  /** CopyData chunks posted, and (shared with the worker) chunks it has parsed. */
  private postedCount = 0
  private readonly parsed = new Int32Array(new SharedArrayBuffer(4))
  private failure: Error | null = null
  private failureListener: ((error: Error) => void) | null = null
  private done: { resolve: (parsed: ParsedCopy) => void; reject: (error: Error) => void } | null = null
  private rows: { resolve: (batch: ColumnBatch) => void; reject: (error: Error) => void } | null = null
  /** The record payloads the worker encoded, once written: their buffers go back to it for the next COPY. */
  private writtenPayloads: EncodedIngest | undefined
  private isOver = false
  private isReleased = false
  private wake: (() => void) | null = null

  constructor(private readonly engine: Engine, private readonly bound: BoundCopyFrom, private readonly functions: FunctionContext,
    private readonly isLean: boolean) {
    const context = { timeZone: functions.timeZone, nowUs: functions.nowUs, settings: functions.settings }
    this.post = copyParsePool().open(bound, context, this.parsed, {
      onError: (error) => this.failed(error),
      onDone: (batch, encoded) => this.done?.resolve({ batch, encoded }),
      onRows: (batch) => this.rows?.resolve(batch),
    }, engine.stats().coreCount)
  }

  onFailure(listener: (error: Error) => void): void {
    this.failureListener = listener
  }

  write(data: Uint8Array): Promise<void> | undefined {
    if (this.failure !== null) throw this.failure
    if (this.isOver) return undefined
    this.postedCount++
    const bytes = ownedBytes(data)
    this.post({ kind: 'data', id: 0, bytes }, [bytes.buffer as ArrayBuffer])
    return this.whenRoom()
  }

  /** Resolves once fewer than COPY_WORKER_CHUNKS_IN_FLIGHT_COUNT chunks wait in the worker (or the COPY failed). */
  private whenRoom(): Promise<void> | undefined {
    const parsedCount = Atomics.load(this.parsed, 0)
    if (this.postedCount - parsedCount < COPY_WORKER_CHUNKS_IN_FLIGHT_COUNT || this.failure !== null || this.isOver) return undefined
    const wait = waitAsync(this.parsed, 0, parsedCount)
    if (!wait.async) return this.whenRoom()
    return new Promise((resolve) => {
      this.wake = resolve
      void wait.value.then(() => {
        this.wake = null
        const more = this.whenRoom()
        if (more === undefined) resolve()
        else void more.then(resolve)
      })
    })
  }

  async finish(): Promise<string> {
    try {
      if (this.failure !== null) throw this.failure
      this.isOver = true
      const { batch, encoded } = await new Promise<ParsedCopy>((resolve, reject) => {
        this.done = { resolve, reject }
        this.post({ kind: 'end', id: 0, isLean: this.isLean })
      })
      if (batch === null) {
        // Lean: the payloads alone; stale at the write (a schema change raced in), the rows themselves, as before.
        const written = encoded === undefined ? undefined : await withEngineErrors(() => writeEncoded(this.engine, this.bound.table.id, encoded))
        if (written !== undefined) {
          this.writtenPayloads = encoded
          return `COPY ${written}`
        }
        return await ingest(this.engine, this.bound, await this.keptRows(), this.functions)
      }
      const tag = await ingest(this.engine, this.bound, batch, this.functions, encoded)
      this.writtenPayloads = encoded
      return tag
    } finally {
      this.release()
    }
  }

  abort(): void {
    this.isOver = true
    this.release()
    this.wakeWriters()
  }

  /** A lean COPY's rows, from its worker. */
  private keptRows(): Promise<ColumnBatch> {
    return new Promise<ColumnBatch>((resolve, reject) => {
      this.rows = { resolve, reject }
      this.post({ kind: 'rows', id: 0 })
    })
  }

  /** The worker forgets the COPY and gives its bytes back; once. */
  private release(): void {
    if (this.isReleased) return
    this.isReleased = true
    const written = this.writtenPayloads
    if (written === undefined) this.post({ kind: 'release', id: 0 })
    else {
      const payloads = encodedTransferables(written)
      this.post({ kind: 'release', id: 0, payloads }, payloads)
    }
  }

  private failed(error: Error): void {
    if (this.failure !== null) return
    this.failure = error
    this.wakeWriters()
    if (this.rows !== null) this.rows.reject(error)
    else if (this.done !== null) this.done.reject(error)
    else if (!this.isOver) this.failureListener?.(error)
  }

  /** A write waiting for room ends now (the COPY failed or was aborted; the worker parses nothing more of it). */
  private wakeWriters(): void {
    const wake = this.wake
    this.wake = null
    if (wake === null) return
    Atomics.notify(this.parsed, 0) // ends the pending waitAsync, which then finds the COPY over
    wake()
  }
}

/** Chooses where the COPY parses from its first CopyData (a COPY ended before any data parses nothing either way). */
class CopyFromSink implements CopyInSink {
  private chosen: InlineCopySink | WorkerCopySink | null = null
  private failureListener: ((error: Error) => void) | null = null

  constructor(private readonly engine: Engine, private readonly bound: BoundCopyFrom, private readonly functions: FunctionContext,
    private readonly isLean: boolean) {}

  onFailure(listener: (error: Error) => void): void {
    this.failureListener = listener
  }

  write(data: Uint8Array): Promise<void> | undefined {
    return this.sink(data.byteLength).write(data)
  }

  finish(): Promise<string> {
    return this.sink(0).finish()
  }

  abort(): void {
    this.chosen?.abort()
  }

  private sink(firstBytes: number): InlineCopySink | WorkerCopySink {
    if (this.chosen !== null) return this.chosen
    if (firstBytes >= COPY_WORKER_FIRST_DATA_BYTES && !this.bound.targetTypes.some((type) => type.name.startsWith('reg'))) {
      const worker = new WorkerCopySink(this.engine, this.bound, this.functions, this.isLean)
      if (this.failureListener !== null) worker.onFailure(this.failureListener)
      this.chosen = worker
    } else this.chosen = new InlineCopySink(this.engine, this.bound, this.functions)
    return this.chosen
  }
}

/**
 * `isLean`: `engine` writes IngestOps as they come (not a transaction's view, which buffers their rows until COMMIT),
 * so a parse worker may keep the rows and hand over only the payloads it encoded.
 */
export function copyFromSink(engine: Engine, bound: BoundCopyFrom, functions: FunctionContext, isLean: boolean): CopyInSink {
  return new CopyFromSink(engine, bound, functions, isLean)
}
