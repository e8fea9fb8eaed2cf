// engine/timeseries/aggregate-sums: the fused aggregate's (aggregate-fast.ts) sums of four float columns in one walk.
// A float sum is a chain of additions each waiting for the one before, so one column's loop runs at the adder's
// latency; four columns summed in one loop over a run's rows are four chains side by side (TSBS double-groupby-all
// averages ten columns). Each column's sum is still its rows added in row order, as aggregate-runs.ts's sumAll adds
// them: results are identical. Only sum/avg over a float or timestamp column without NULL among the selected rows;
// every other aggregate stays with addRuns. Knows nothing of SQL.
import type { Accumulator } from './aggregate.js'
import { hasNullIn, isConsecutive, type Runs } from './aggregate-runs.js'
import type { Selection } from './scan.js'

/** The values a plain sum of `acc` reads in this selection, or null when it is not one (another kind, NULLs). */
export function plainSumValues(acc: Accumulator, selection: Selection): Float64Array | null {
  const { fn, column } = acc.spec
  if ((fn !== 'sum' && fn !== 'avg') || column === null) return null
  const vector = selection.memtable.columns[column]!
  if (vector.kind !== 'f64' && vector.kind !== 'timestamp') return null
  return hasNullIn(vector.nulls, selection) ? null : vector.values
}

/** Adds the selected rows to four plain sums (plainSumValues gave their values), run by run. */
export function addFourSums(accs: ReadonlyArray<Accumulator>, values: ReadonlyArray<Float64Array>, selection: Selection,
  runs: Runs): void {
  // Plain locals, no destructuring of array literals: those may allocate per call and per run.
  const a = accs[0]!
  const b = accs[1]!
  const c = accs[2]!
  const d = accs[3]!
  const va = values[0]!
  const vb = values[1]!
  const vc = values[2]!
  const vd = values[3]!
  const { ends, groups } = runs
  const { rows } = selection
  let i = 0
  for (let r = 0; r < runs.count; r++) {
    const g = groups[r]!
    const end = ends[r]!
    const n = end - i
    a.counts[g]! += n; b.counts[g]! += n; c.counts[g]! += n; d.counts[g]! += n
    let sa = a.sums[g]!
    let sb = b.sums[g]!
    let sc = c.sums[g]!
    let sd = d.sums[g]!
    if (isConsecutive(rows, i, end)) {
      for (let row = rows[i]!, last = rows[end - 1]!; row <= last; row++) {
        sa += va[row]!; sb += vb[row]!; sc += vc[row]!; sd += vd[row]!
      }
    } else {
      for (let j = i; j < end; j++) {
        const row = rows[j]!
        sa += va[row]!; sb += vb[row]!; sc += vc[row]!; sd += vd[row]!
      }
    }
    a.sums[g] = sa; b.sums[g] = sb; c.sums[g] = sc; d.sums[g] = sd
    i = end
  }
}
