// engine/timeseries/lane-sums: how a core adds floats for sum/avg. Per source (a memtable or decoded row group) and
// group, four partial sums — lane row & 3 takes the group's rows whose row number is that modulo 4, in row order —
// are folded as (l0 + l1) + (l2 + l3) when the source ends and added to the group's sum, sources in scan order.
// One long chain of additions runs at the adder's latency (~1.5 ns a row here); four independent chains keep it
// busy, so a full-column sum costs about a quarter. Every kernel (aggregate.ts's per-row loop, aggregate-runs.ts's
// runs) adds by this one rule, so the fast and general paths still agree bit for bit. The order differs from
// PostgreSQL's single chain in heap order, as nodedb's already did (per core, per vShard, segments sorted by series);
// interleaved lanes bound the rounding error no worse than one chain ((n/4 + 2)·u·Σ|x| against (n − 1)·u·Σ|x|).
// A cached chunk's four lanes over all its rows are kept with it (WeakMap keyed by its values, as sorted-spans.ts
// keeps time runs), so a scan that takes the whole row group into one group adds four numbers instead of its rows —
// the same four numbers the loop would compute from zero lanes. Knows nothing of SQL.

/** Each cached float chunk's values (registerCachedValues), and its whole-chunk lanes once a kernel asked. */
const cachedValues = new WeakSet<Float64Array>()
const wholeLanesByValues = new WeakMap<Float64Array, Float64Array>()

/** Group lanes of one aggregate for the current source: group g's lanes at 4g…4g + 3, zero until its rows come. */
export class LaneSums {
  lanes: Float64Array = new Float64Array(64)
  private marks: Uint8Array = new Uint8Array(16)
  private touched: Int32Array = new Int32Array(16)
  private touchedCount = 0

  /** The index of group g's first lane (read `lanes` after this call: it may grow it), marking g as touched. */
  open(g: number): number {
    if (g >= this.marks.length) this.grow(g)
    if (this.marks[g] === 0) {
      this.marks[g] = 1
      if (this.touchedCount === this.touched.length) this.touched = grownInts(this.touched, this.touched.length * 2)
      this.touched[this.touchedCount++] = g
    }
    return g << 2
  }

  /** The source ends: each touched group's lanes, folded, are added to its sum, and cleared. */
  fold(sums: number[]): void {
    const lanes = this.lanes
    for (let t = 0; t < this.touchedCount; t++) {
      const g = this.touched[t]!
      const b = g << 2
      sums[g]! += (lanes[b]! + lanes[b + 1]!) + (lanes[b + 2]! + lanes[b + 3]!)
      lanes[b] = 0; lanes[b + 1] = 0; lanes[b + 2] = 0; lanes[b + 3] = 0
      this.marks[g] = 0
    }
    this.touchedCount = 0
  }

  private grow(g: number): void {
    const capacity = Math.max(g + 1, this.marks.length * 2)
    const marks = new Uint8Array(capacity)
    marks.set(this.marks)
    this.marks = marks
    const lanes = new Float64Array(capacity << 2)
    lanes.set(this.lanes)
    this.lanes = lanes
  }
}

/** A source (memtable or row group) ends: each aggregate's lanes join its groups' sums. */
export function foldSources(accs: ReadonlyArray<{ readonly lanes: LaneSums | null; readonly sums: number[] }>): void {
  for (let a = 0; a < accs.length; a++) accs[a]!.lanes?.fold(accs[a]!.sums)
}

function grownInts(values: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity)
  grown.set(values)
  return grown
}

/** Adds values[first..last] (consecutive rows, in order) to the lanes at `base`, each row to lane row & 3. */
export function addConsecutive(lanes: Float64Array, base: number, values: Float64Array, first: number, last: number): void {
  let row = first
  for (; row <= last && (row & 3) !== 0; row++) lanes[base + (row & 3)]! += values[row]!
  let l0 = lanes[base]!
  let l1 = lanes[base + 1]!
  let l2 = lanes[base + 2]!
  let l3 = lanes[base + 3]!
  for (; row + 3 <= last; row += 4) {
    l0 += values[row]!; l1 += values[row + 1]!; l2 += values[row + 2]!; l3 += values[row + 3]!
  }
  lanes[base] = l0; lanes[base + 1] = l1; lanes[base + 2] = l2; lanes[base + 3] = l3
  for (; row <= last; row++) lanes[base + (row & 3)]! += values[row]!
}

/** A cached float chunk: a kernel summing all its rows may take its whole-chunk lanes (wholeChunkLanes). */
export function registerCachedValues(values: Float64Array): void {
  cachedValues.add(values)
}

/**
 * The lanes of all rows of a registered chunk, computed from zero lanes by addConsecutive on first use; null for
 * arrays never registered (a live memtable's, a chunk decoded for one scan only).
 */
export function wholeChunkLanes(values: Float64Array): Float64Array | null {
  if (!cachedValues.has(values)) return null
  let lanes = wholeLanesByValues.get(values)
  if (lanes === undefined) {
    lanes = new Float64Array(4)
    if (values.length > 0) addConsecutive(lanes, 0, values, 0, values.length - 1)
    wholeLanesByValues.set(values, lanes)
  }
  return lanes
}
