// engine/bridge/in-flight-window: bounds the bytes of requests sent to cores whose answers have not come back yet
// (replay uses it so memtable reports and flushes keep pace, invariant 4). Knows nothing of what the requests are.

export class InFlightWindow {
  private readonly pending = new Set<Promise<unknown>>()
  private bytes = 0

  constructor(private readonly bytesMax: number) {}

  /** Resolves once the bytes in flight are within the bound (always at once when nothing is in flight). */
  async whenOpen(): Promise<void> {
    while (this.bytes > this.bytesMax && this.pending.size > 0) await Promise.race(this.pending)
  }

  /** Counts `bytes` in flight until every one of `answers` has settled. */
  add(answers: ReadonlyArray<Promise<unknown>>, bytes: number): void {
    const all: Promise<unknown> = Promise.allSettled(answers).then(() => {
      this.pending.delete(all)
      this.bytes -= bytes
    })
    this.pending.add(all)
    this.bytes += bytes
  }
}
