// wire/ilp/http-writers: which connections are writing ILP over HTTP now (a request within the last
// ILP_HTTP_WRITER_ACTIVE_MS), for the parse coalescer's hold (http-parse-coalescer.ts): while fewer of them have a body
// queued than are writing, the bodies queued wait a little for the others', so one parse job and one record carry
// them all. Bounded: a connection is forgotten once quiet for the window, and at most ILP_HTTP_CONNECTIONS_MAX_COUNT
// are remembered. Knows nothing of HTTP beyond an object per connection.
import { ILP_HTTP_CONNECTIONS_MAX_COUNT, ILP_HTTP_WRITER_ACTIVE_MS } from '../../src/common/limits.js'

export class ActiveWriters {
  /** Each writer's last request time (ms), oldest first (re-inserted on each request). */
  private readonly lastSeenMs = new Map<object, number>()

  constructor(private readonly windowMs = ILP_HTTP_WRITER_ACTIVE_MS, private readonly nowMs = (): number => performance.now()) {}

  /** A request of `writer` (its connection) arrived. */
  note(writer: object): void {
    this.lastSeenMs.delete(writer)
    this.lastSeenMs.set(writer, this.nowMs())
    if (this.lastSeenMs.size > ILP_HTTP_CONNECTIONS_MAX_COUNT) this.lastSeenMs.delete(this.lastSeenMs.keys().next().value!)
  }

  /** `writer`'s connection closed; true when it was counted. */
  forget(writer: object): boolean {
    return this.lastSeenMs.delete(writer)
  }

  /** Writers with a request within the window. */
  get count(): number {
    const oldestMs = this.nowMs() - this.windowMs
    for (const [writer, atMs] of this.lastSeenMs) {
      if (atMs >= oldestMs) break
      this.lastSeenMs.delete(writer)
    }
    return this.lastSeenMs.size
  }
}
