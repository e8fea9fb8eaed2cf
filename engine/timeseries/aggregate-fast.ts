// engine/timeseries/aggregate-fast: a fused kernel for the commonest aggregate scans — group keys of at most one time
// bucket and one symbol (tag) column, with count(*), count/sum/avg/min/max over float or timestamp columns and
// first/last over any column. Each selection is cut into runs of consecutive rows of one group (the group is looked
// up only where the tag id or bucket start changes), then each aggregate walks its typed array once, run by run
// (aggregate-runs.ts). Groups are numbered in row order and each group's additions and min/max choices happen in row
// order, as in aggregate.ts, whose finishPartial builds the result from the same accumulators: results are identical.
// Anything else returns null (aggregate.ts's general loop).
import { doubleBelow, type GroupKey, type ScanOp } from '../ops.js'
import type { Selection } from './scan.js'
import type { MemColumn } from './memtable.js'
import { addRuns, type Runs } from './aggregate-runs.js'
import { bucketStartOf, TagOrdinals } from './group-index.js'
import type { Accumulator, GroupRefs } from './aggregate.js'
import { foldSources } from './lane-sums.js'
import { idRunsOf, sortedTimeRunsOf } from './sorted-spans.js'

type TimeBucket = Extract<GroupKey, { kind: 'timeBucket' }>

function fits(op: ScanOp, selections: ReadonlyArray<Selection>, tsIndex: number): boolean {
  const buckets = op.groupBy.filter((key) => key.kind === 'timeBucket')
  const tags = op.groupBy.filter((key) => key.kind !== 'timeBucket')
  if (buckets.length > 1 || tags.length > 1) return false
  if (op.aggregates.some((spec) => spec.filter !== undefined && spec.filter !== null)) return false
  for (const key of tags) {
    if (!selections.every((s) => s.memtable.columns[key.column]?.kind === 'symbol')) return false
  }
  const handled = new Set(['count', 'sum', 'avg', 'min', 'max', 'first', 'last'])
  for (const spec of op.aggregates) {
    if (!handled.has(spec.fn)) return false
    if (spec.column === null) { if (spec.fn !== 'count') return false; continue }
    // first/last choose a row by its timestamp alone: any column kind (the cell is gathered at the end).
    if (spec.fn === 'first' || spec.fn === 'last') continue
    for (const s of selections) {
      const kind = s.memtable.columns[spec.column]?.kind
      if (kind !== 'f64' && kind !== 'timestamp') return false
    }
  }
  return selections.every((s) => s.memtable.columns[tsIndex]?.kind === 'timestamp')
}

/** Scratch run boundaries, reused across row groups and scans on this core's thread (grown, never shrunk). */
let runEnds = new Int32Array(1024)
let runGroups = new Int32Array(1024)
/** Bucket starts on either side of the first one that find their index by arithmetic (RunNumbering). */
const BUCKET_SLOTS = 1 << 13

/** Per tag slot (dictionary id + 1; 0 is NULL): the latest run's time span, bucket start and group (bucketRuns). */
class TagSpans {
  readonly lows: Float64Array
  readonly highs: Float64Array
  readonly starts: Float64Array
  readonly groups: Int32Array

  constructor(slots: number) {
    // An empty span (low > high) until a run of the slot is seen: no time is inside it, NaN included.
    this.lows = new Float64Array(slots).fill(Number.POSITIVE_INFINITY)
    this.highs = new Float64Array(slots).fill(Number.NEGATIVE_INFINITY)
    this.starts = new Float64Array(slots)
    this.groups = new Int32Array(slots)
  }

  remember(slot: number, low: number, high: number, start: number, group: number): void {
    this.lows[slot] = low
    this.highs[slot] = high
    this.starts[slot] = start
    this.groups[slot] = group
  }
}

/**
 * Numbers groups as rows come (a group's number is the order of its first row, as aggregate.ts numbers them) and
 * cuts each selection into runs of one group: a tag's dictionary id and the row's bucket start are compared with the
 * previous row's, and only where one changes is the group looked up.
 */
class RunNumbering {
  private readonly bucketIndexOf = new Map<number, number>()
  private slots: Int32Array | null = null
  private anchor = Number.NaN
  private bucketCount = 0
  /** Group number by tag ordinal (0 without a tag key), then bucket index (0 without a bucket). */
  private readonly byTag: number[][] = []

  constructor(private readonly bucket: TimeBucket | undefined, private readonly tags: TagOrdinals | null,
    private readonly refs: GroupRefs, private readonly newGroup: () => void) {}

  runsOf(selection: Selection, m: number, times: Float64Array): Runs {
    const { rows, count } = selection
    const columns = selection.memtable.columns
    this.tags?.beginMemtable(columns)
    const tag = this.tags === null ? undefined : columns[this.tags.column]
    const ids = tag?.kind === 'symbol' ? tag.ids : null
    const bucket = this.bucket
    if (runEnds.length < count) { runEnds = new Int32Array(count); runGroups = new Int32Array(count) }
    if (ids === null && bucket === undefined) {
      // No group key: the whole selection is one run of the one group.
      runEnds[0] = count
      runGroups[0] = this.groupOf(columns, m, rows[0]!, 0)
      return { count: 1, ends: runEnds, groups: runGroups }
    }
    if (bucket !== undefined) {
      return this.sortedBucketRuns(selection, m, ids, bucket, times) ??
        this.bucketRuns(selection, m, ids, tag?.kind === 'symbol' ? tag.dict.length : 0, bucket, times)
    }
    // A tag key alone (fits() made it a symbol column in every selection, so ids is set).
    return this.tagRuns(selection, m, ids!, tag?.kind === 'symbol' ? tag.dict.length : 0)
  }

  /**
   * runsOf with a time bucket (and maybe a tag): a row continues the run when its tag id is the run's and its time
   * lies in the span of times known to share the run's bucket start, so most rows cost two loads and three
   * comparisons, not a division. Each tag id also remembers its latest span and group (rows of many series
   * interleaved, as a memtable holds them, switch runs at every row): a row inside it starts a run of that group
   * without the arithmetic or the group lookup. Any other row computes its bucket start as before.
   */
  private bucketRuns(selection: Selection, m: number, ids: Int32Array | null, dictSize: number, bucket: TimeBucket,
    times: Float64Array): Runs {
    const { rows, count } = selection
    const columns = selection.memtable.columns
    const spans = new TagSpans(ids === null ? 2 : dictSize + 1)
    let runs = 0
    let previousId = -2
    let previousStart = Number.NaN
    let low = Number.POSITIVE_INFINITY
    let high = Number.NEGATIVE_INFINITY
    for (let i = 0; i < count; i++) {
      const row = rows[i]!
      const id = ids === null ? 0 : ids[row]!
      const t = times[row]!
      if (id === previousId && t >= low && t <= high) continue
      const slot = id + 1
      const isKnown = t >= spans.lows[slot]! && t <= spans.highs[slot]!
      const start = isKnown ? spans.starts[slot]! : bucketStartOf(bucket, t)
      if (id === previousId && start === previousStart) continue
      if (runs > 0) runEnds[runs - 1] = i
      previousId = id
      previousStart = start
      if (isKnown) {
        low = spans.lows[slot]!
        high = spans.highs[slot]!
        runGroups[runs++] = spans.groups[slot]!
        continue
      }
      // The times [start, the double below start + width] share this start when both ends do (bucketStartOf never
      // decreases as time grows); else only t is known to.
      const last = doubleBelow(start + bucket.widthUs)
      const isSpan = bucketStartOf(bucket, start) === start && bucketStartOf(bucket, last) === start
      low = isSpan ? start : t
      high = isSpan ? last : t
      const group = this.groupOf(columns, m, row, start)
      spans.remember(slot, low, high, start, group)
      runGroups[runs++] = group
    }
    if (runs > 0) runEnds[runs - 1] = count
    return { count: runs, ends: runEnds, groups: runGroups }
  }

  /**
   * runsOf with a time bucket over consecutive rows of a cached segment row group whose time runs and tag id runs are
   * indexed (sorted-spans.ts): within a stretch of one id and sorted times, each bucket's rows end at the first time
   * past the bucket, found by binary search, so a bucket costs a search rather than a test per row. The runs cover the
   * rows in order with the groups bucketRuns gives them (a run starts where (id, bucket start) changes, plus where a
   * stretch ends), so groups are numbered and rows added in the same order. Null when the indexes do not apply.
   */
  private sortedBucketRuns(selection: Selection, m: number, ids: Int32Array | null, bucket: TimeBucket,
    times: Float64Array): Runs | null {
    const { rows, count } = selection
    const first = rows[0]!
    if (rows[count - 1]! - first !== count - 1) return null
    const timeRuns = sortedTimeRunsOf(times)
    const idRuns = ids === null ? null : idRunsOf(ids)
    if (timeRuns === null || (ids !== null && idRuns === null)) return null
    const columns = selection.memtable.columns
    const end = first + count
    let runs = 0
    for (let row = first; row < end;) {
      const stretchEnd = Math.min(end, timeRuns.runEnd(row), idRuns === null ? end : idRuns.endAfter(row))
      while (row < stretchEnd) {
        const start = bucketStartOf(bucket, times[row]!)
        const last = doubleBelow(start + bucket.widthUs)
        const isSpan = bucketStartOf(bucket, start) === start && bucketStartOf(bucket, last) === start
        const runEnd = isSpan ? firstPast(times, row + 1, stretchEnd, last) : row + 1
        runGroups[runs] = this.groupOf(columns, m, row, start)
        runEnds[runs++] = runEnd - first
        row = runEnd
      }
    }
    return { count: runs, ends: runEnds, groups: runGroups }
  }

  /** runsOf for a tag key alone: a run is a stretch of one dictionary id. */
  private tagRuns(selection: Selection, m: number, ids: Int32Array, dictSize: number): Runs {
    const { rows, count } = selection
    const [first, last] = [rows[0]!, rows[count - 1]!]
    const idRuns = last - first === count - 1 ? idRunsOf(ids) : null
    if (idRuns !== null) {
      // Consecutive rows of a cached row group whose id runs are indexed: one run per stretch of one id, no row read.
      let runs = 0
      for (let row = first; row <= last;) {
        const end = Math.min(last + 1, idRuns.endAfter(row))
        runGroups[runs] = this.groupOf(selection.memtable.columns, m, row, 0)
        runEnds[runs++] = end - first
        row = end
      }
      return { count: runs, ends: runEnds, groups: runGroups }
    }
    if (dictSize === 1 && last - first === count - 1 && ids.subarray(first, last + 1).indexOf(-1) === -1) {
      // One tag value and no NULL over consecutive rows (a row group of one series): one run, found natively.
      runEnds[0] = count
      runGroups[0] = this.groupOf(selection.memtable.columns, m, first, 0)
      return { count: 1, ends: runEnds, groups: runGroups }
    }
    let runs = 0
    let previousId = -2
    for (let i = 0; i < count; i++) {
      const id = ids[rows[i]!]!
      if (id === previousId) continue
      if (runs > 0) runEnds[runs - 1] = i
      previousId = id
      runGroups[runs++] = this.groupOf(selection.memtable.columns, m, rows[i]!, 0)
    }
    runEnds[runs - 1] = count
    return { count: runs, ends: runEnds, groups: runGroups }
  }

  /**
   * A bucket start's index (its order of first appearance). Starts within BUCKET_SLOTS buckets of the first one seen
   * find it in an array by arithmetic — a start is a slot's only when anchor + slot × width reproduces it exactly, so
   * one start always takes one way — and the rest through a Map.
   */
  private bucketIndexOfStart(start: number): number {
    const width = this.bucket?.widthUs ?? 1
    if (this.anchor !== this.anchor) this.anchor = start
    const slot = Math.round((start - this.anchor) / width)
    const isSlotted = slot > -BUCKET_SLOTS && slot < BUCKET_SLOTS && this.anchor + slot * width === start
    if (isSlotted) {
      const slots = this.slots ??= new Int32Array(2 * BUCKET_SLOTS).fill(-1)
      let index = slots[slot + BUCKET_SLOTS]!
      if (index < 0) { index = this.bucketCount++; slots[slot + BUCKET_SLOTS] = index }
      return index
    }
    let index = this.bucketIndexOf.get(start)
    if (index === undefined) { index = this.bucketCount++; this.bucketIndexOf.set(start, index) }
    return index
  }

  private groupOf(columns: ReadonlyArray<MemColumn>, m: number, row: number, start: number): number {
    const bucketIndex = this.bucketIndexOfStart(start)
    const ordinal = this.tags === null ? 0 : this.tags.ordinalOf(columns, row)
    const byBucket = this.byTag[ordinal] ?? (this.byTag[ordinal] = [])
    let g = byBucket[bucketIndex] ?? -1
    if (g < 0) {
      g = this.refs.keyTables.length
      byBucket[bucketIndex] = g
      this.refs.keyTables.push(m); this.refs.keyRows.push(row)
      this.newGroup()
    }
    return g
  }
}

/** The first row in [from, to) of sorted `times` above `last` (`to` when none). */
function firstPast(times: Float64Array, from: number, to: number, last: number): number {
  let lo = from
  let hi = to
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (times[mid]! > last) hi = mid
    else lo = mid + 1
  }
  return lo
}

/**
 * The accumulators and group references of the fused aggregate (for aggregate.ts's finishPartial), or null when the
 * op is not of the shape this kernel handles. `accs` are fresh (no groups); `addGroup` appends one group to one.
 */
export function tryFastAggregate(op: ScanOp, selections: ReadonlyArray<Selection>, tsIndex: number,
  accs: ReadonlyArray<Accumulator>, addGroup: (acc: Accumulator) => void): GroupRefs | null {
  if (!fits(op, selections, tsIndex)) return null
  const bucket = op.groupBy.find((key) => key.kind === 'timeBucket') as TimeBucket | undefined
  const tagKey = op.groupBy.find((key) => key.kind !== 'timeBucket')
  const tags = tagKey === undefined ? null : new TagOrdinals(tagKey.column)
  const refs: GroupRefs = { keyTables: [], keyRows: [] }
  // min/max's chosen value per group (the other kernels leave theirs empty).
  const bests = accs.map((): number[] => [])
  const extremes = accs.flatMap((acc, a) => (acc.spec.fn === 'min' || acc.spec.fn === 'max' ? [a] : []))
  const leaders = leadersOf(accs)
  const numbering = new RunNumbering(bucket, tags, refs, () => {
    for (let a = 0; a < accs.length; a++) addGroup(accs[a]!)
    for (let e = 0; e < extremes.length; e++) bests[extremes[e]!]!.push(0)
  })
  for (let m = 0; m < selections.length; m++) {
    const selection = selections[m]!
    const ts = selection.memtable.columns[tsIndex]!
    if (ts.kind !== 'timestamp') return null
    if (selection.count === 0) continue
    const runs = numbering.runsOf(selection, m, ts.values)
    addSelection(accs, bests, leaders, selection, m, runs, ts.values)
  }
  shareChoices(accs, leaders)
  return refs
}

/** Every leading accumulator over one selection's runs, then the selection's float sums folded (lane-sums.ts). */
function addSelection(accs: ReadonlyArray<Accumulator>, bests: ReadonlyArray<number[]>, leaders: ReadonlyArray<number>,
  selection: Selection, m: number, runs: Runs, times: Float64Array): void {
  for (let a = 0; a < accs.length; a++) if (leaders[a] === a) addRuns(accs[a]!, bests[a]!, selection, m, runs, times)
  foldSources(accs)
}

/**
 * first/last choose a row by its timestamp alone, whatever their column, so every first (and every last) of one scan
 * chooses the same row per group: only the first of each kind walks the rows (leaders[a] === a) and the others copy
 * its choice (shareChoices) — TSBS lastpoint's twenty last() calls cost one walk.
 */
function leadersOf(accs: ReadonlyArray<Accumulator>): number[] {
  return accs.map((acc, a) => {
    const fn = acc.spec.fn
    return fn === 'first' || fn === 'last' ? accs.findIndex((other) => other.spec.fn === fn) : a
  })
}

function shareChoices(accs: ReadonlyArray<Accumulator>, leaders: ReadonlyArray<number>): void {
  for (let a = 0; a < accs.length; a++) {
    if (leaders[a] === a) continue
    const [acc, leader] = [accs[a]!, accs[leaders[a]!]!]
    for (let g = 0; g < leader.timestamps.length; g++) {
      acc.timestamps[g] = leader.timestamps[g]!
      acc.tables[g] = leader.tables[g]!
      acc.rows[g] = leader.rows[g]!
    }
  }
}
