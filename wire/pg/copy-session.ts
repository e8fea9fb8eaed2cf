// wire/pg/copy-session: the COPY sub-protocol of one session. COPY … TO STDOUT sends CopyOutResponse, the rows as
// CopyData (copy-out.ts) and CopyDone. COPY … FROM STDIN sends CopyInResponse and then needs the client's next
// frames while the statement is still running: the connection hands a session one frame at a time and waits for the
// promise it returns, so every frame's promise is a *turn* (track) that ends when the statement ends OR when a COPY
// starts waiting for input. CopyData feeds the sink; CopyDone finishes it and CopyFail aborts it (57014), both turns
// that end with the statement's next stop. Flush and Sync are ignored during copy-in and any other message aborts it
// (08P01), as PostgreSQL does; after a COPY ended with an error, late CopyData/CopyDone/CopyFail are dropped.
import { DbError, protocolViolation } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import type { CopyInSink, StatementResult } from '../../sql/api.js'
import { CopyOutSink } from './copy-out.js'
import type { FrontendMessage } from './frontend.js'
import { ResultCursor, type RowSink } from './result-writer.js'

type CopyResult = Extract<StatementResult, { kind: 'CopyInResult' | 'CopyOutResult' }>

/** What the session lends the COPY protocol. */
export interface CopyHost extends RowSink {
  /** Sends the cursor's rows through `sink` as the running statement (cancel → 57014). */
  sendCursorRows(cursor: ResultCursor, formats: ReadonlyArray<number>, maxRows: number, sink: RowSink): Promise<number>
}

interface CopyInput {
  readonly sink: CopyInSink
  readonly resolve: (tag: string) => void
  readonly reject: (error: unknown) => void
}

/** Message type bytes named in the 08P01 of an unexpected message during copy-in. */
const TYPE_BYTES: Readonly<Partial<Record<FrontendMessage['kind'], number>>> = {
  Query: 0x51, Parse: 0x50, Bind: 0x42, Describe: 0x44, Execute: 0x45, Close: 0x43, PasswordMessage: 0x70,
}

function copyFailed(message: string): DbError {
  return new DbError({ severity: 'ERROR', code: SqlState.queryCanceled, message: `COPY from stdin failed: ${message}` })
}

export class CopyProtocol {
  private input: CopyInput | null = null
  private endTurnNow: (() => void) | null = null

  constructor(private readonly host: CopyHost) {}

  /** True while a COPY FROM STDIN waits for CopyData. */
  get isCopyingIn(): boolean {
    return this.input !== null
  }

  /** The promise the connection waits on for a frame's work: it ends with the work, or when a COPY waits for input. */
  track(work: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.endTurnNow = resolve
      work.then(() => this.endTurn(), reject)
    })
  }

  /** Runs a COPY result as the current statement; resolves with the tag 'COPY n'. */
  async run(result: CopyResult): Promise<string> {
    if (result.kind === 'CopyOutResult') return this.copyOut(result)
    const format = result.format === 'binary' ? 1 : 0
    this.host.send({ kind: 'CopyInResponse', format, columnFormats: new Array<number>(result.columnCount).fill(format) })
    await this.host.flush()
    return new Promise<string>((resolve, reject) => {
      const input: CopyInput = { sink: result.sink, resolve, reject }
      this.input = input
      result.sink.onFailure?.((error) => {
        if (this.input === input) this.failWhileWaiting(input, error)
      })
      this.endTurn()
    })
  }

  /**
   * A frame while copying in (or a late copy message after a failed COPY, which is dropped). Returns what the
   * connection must wait for, as handleFrame does.
   */
  receive(message: FrontendMessage): Promise<void> | undefined {
    const input = this.input
    if (input === null) return undefined
    switch (message.kind) {
      case 'CopyData': return this.data(input, message.data)
      case 'CopyDone':
        this.input = null
        input.sink.finish().then(input.resolve, input.reject)
        return this.nextTurn()
      case 'CopyFail': return this.fail(input, copyFailed(message.message))
      case 'Flush': case 'Sync': return undefined
      default: {
        const type = TYPE_BYTES[message.kind] ?? 0
        return this.fail(input, protocolViolation(`unexpected message type 0x${type.toString(16).toUpperCase().padStart(2, '0')} during COPY from stdin`))
      }
    }
  }

  /** CancelRequest, or the socket closed: a COPY waiting for input ends with `error`. */
  stop(error: DbError): void {
    if (this.input !== null) this.failWhileWaiting(this.input, error)
  }

  /**
   * Fails a COPY while the connection waits for the client (no frame's turn is running): once the statement has
   * ended (its ErrorResponse and ReadyForQuery written), its output is flushed, since no frame will flush it.
   */
  private failWhileWaiting(input: CopyInput, error: unknown): void {
    void this.fail(input, error).then(() => this.host.flush())
  }

  private data(input: CopyInput, data: Buffer): Promise<void> | undefined {
    let pending: Promise<void> | undefined
    try {
      pending = input.sink.write(data)
    } catch (thrown) {
      return this.fail(input, thrown)
    }
    return pending
  }

  private fail(input: CopyInput, error: unknown): Promise<void> {
    this.input = null
    input.sink.abort()
    const turn = this.nextTurn()
    input.reject(error)
    return turn
  }

  private nextTurn(): Promise<void> {
    return new Promise((resolve) => {
      this.endTurnNow = resolve
    })
  }

  private endTurn(): void {
    const end = this.endTurnNow
    this.endTurnNow = null
    end?.()
  }

  private async copyOut(result: Extract<CopyResult, { kind: 'CopyOutResult' }>): Promise<string> {
    const sink = new CopyOutSink(this.host, result)
    sink.start()
    const cursor = new ResultCursor(result.rows)
    let sentCount: number
    try {
      sentCount = await this.host.sendCursorRows(cursor, sink.formats, 0, sink)
    } finally {
      cursor.close()
    }
    sink.end()
    return `COPY ${sentCount}`
  }
}
