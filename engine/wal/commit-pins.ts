// engine/wal/commit-pins: what a checkpoint must keep for multi-record commits (commit-record.ts). A part is applied
// only through its commit, so the segments from a transaction's first part on stay while it is open (its commit may
// still come) and while its commit is at or above the checkpoint's low-water mark (some vShard, catch-up or the sync
// shipper still needs the commit, hence its parts). Knows nothing of files.
import type { CommitSpan } from './commit-record.js'

export class CommitPins {
  private readonly open = new Set<number>()
  private commits: CommitSpan[]

  /** `commits`: those a replay met (their parts may still be needed). */
  constructor(commits: ReadonlyArray<CommitSpan> = []) {
    this.commits = [...commits]
  }

  opened(txn: number): void {
    this.open.add(txn)
  }

  committed(txn: number, commitLsn: number): void {
    this.open.delete(txn)
    this.commits.push({ txn, commitLsn })
  }

  /** The transaction ends without a commit (COPY failed): its parts are dead, replay drops them. */
  abandoned(txn: number): void {
    this.open.delete(txn)
  }

  /**
   * The LSN segments must be kept from, given the checkpoint's mark `needed`. A commit below the mark is in segments
   * for every vShard and is forgotten (a core restart's catch-up skips it: every row of it is flushed).
   */
  keptFrom(needed: number): number {
    this.commits = this.commits.filter((span) => span.commitLsn >= needed)
    let kept = needed
    for (const txn of this.open) kept = Math.min(kept, txn)
    for (const span of this.commits) kept = Math.min(kept, span.txn)
    return kept
  }
}
