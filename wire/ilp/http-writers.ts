// wire/ilp/http-writers: which connections are writing ILP over HTTP now (a request within the last
// ILP_HTTP_WRITER_ACTIVE_MS), for the parse coalescer's hold (http-parse-coalescer.ts): while a connection that wrote
// lately has been answered and has not sent its next body yet, the bodies queued wait a little for it, so one parse
// job and one record carry them all. A connection whose request is still being parsed or written is not waited for:
// its next body comes only after that answer (a WAL fsync away), and waiting would idle the parse worker. Bounded: a
// connection is forgotten once quiet for the window or closed, and at most ILP_HTTP_CONNECTIONS_MAX_COUNT are
// remembered. Knows nothing of HTTP beyond an object per connection.
import { ILP_HTTP_CONNECTIONS_MAX_COUNT, ILP_HTTP_WRITER_ACTIVE_MS } from '../../src/common/limits.js'

export class ActiveWriters {
  /** Each writer's last request or answer time (ms), oldest first (re-inserted on each). */
  private readonly lastSeenMs = new Map<object, number>()
  /** Writers (all in lastSeenMs) with a request not answered yet. */
  private readonly inFlight = new Set<object>()

  constructor(private readonly windowMs = ILP_HTTP_WRITER_ACTIVE_MS, private readonly nowMs = (): number => performance.now()) {}

  /** A request of `writer` (its connection) arrived. */
  note(writer: object): void {
    this.seen(writer)
    this.inFlight.add(writer)
  }

  /** `writer`'s request was answered: its next body may come any moment. */
  answered(writer: object): void {
    if (!this.inFlight.delete(writer)) return
    this.seen(writer)
  }

  /** `writer`'s connection closed; true when it was counted. */
  forget(writer: object): boolean {
    this.inFlight.delete(writer)
    return this.lastSeenMs.delete(writer)
  }

  /** Writers with a request or an answer within the window. */
  get count(): number {
    const oldestMs = this.nowMs() - this.windowMs
    for (const [writer, atMs] of this.lastSeenMs) {
      if (atMs >= oldestMs) break
      this.forget(writer)
    }
    return this.lastSeenMs.size
  }

  /** Writers within the window that were answered and have sent nothing since: those a hold waits for. */
  get returningCount(): number {
    return this.count - this.inFlight.size
  }

  private seen(writer: object): void {
    this.lastSeenMs.delete(writer)
    this.lastSeenMs.set(writer, this.nowMs())
    if (this.lastSeenMs.size > ILP_HTTP_CONNECTIONS_MAX_COUNT) this.forget(this.lastSeenMs.keys().next().value!)
  }
}
