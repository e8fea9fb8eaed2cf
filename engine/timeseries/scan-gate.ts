// engine/timeseries/scan-gate: orders scans against flush commits on the control thread. A scan holds a shared lease
// from reading the manifest until its requests are queued to the cores; a commit (manifest swap + CommitFlushRequest)
// is exclusive. So a core never drops a frozen memtable a scan still counts on, nor sees one twice (invariant 2).
// Writers go first: while one waits, new scans wait too. Knows nothing of files or cores.

export class ScanGate {
  private readers = 0
  private isWriting = false
  private readonly waitingWriters: Array<() => void> = []
  private readonly waitingReaders: Array<() => void> = []

  /** Resolves with a release function once no commit runs or waits. */
  async read(): Promise<() => void> {
    while (this.isWriting || this.waitingWriters.length > 0) await new Promise<void>((resolve) => this.waitingReaders.push(resolve))
    this.readers += 1
    let isReleased = false
    return () => {
      if (isReleased) return
      isReleased = true
      this.readers -= 1
      this.wake()
    }
  }

  /** Runs `body` alone: no scan holds or takes a lease meanwhile. */
  async write<T>(body: () => Promise<T>): Promise<T> {
    while (this.isWriting || this.readers > 0) await new Promise<void>((resolve) => this.waitingWriters.push(resolve))
    this.isWriting = true
    try {
      return await body()
    } finally {
      this.isWriting = false
      this.wake()
    }
  }

  private wake(): void {
    if (this.isWriting) return
    if (this.waitingWriters.length > 0) {
      if (this.readers === 0) this.waitingWriters.shift()!()
      return
    }
    while (this.waitingReaders.length > 0) this.waitingReaders.shift()!()
  }
}
