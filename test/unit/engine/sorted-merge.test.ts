// Goal: SortedMerge (the control side of ORDER BY on the cores) gives every row of the cores' sorted batches once, in
// the keys' order with ties to the lower core, however its output is cut — by a full batch, by a core's batch used up,
// or by its time slice (CONTROL_MERGE_SLICE_MS, invariant 5). Method: three cores' random sorted float keys (ties,
// NaN, DESC) as DataRows whose bytes name their row; the merge's output is compared with a stable sort of all rows
// written here; then again with a clock that jumps past the slice at every reading, which must cut every output batch
// at 256 rows and change nothing else.
import assert from 'node:assert/strict'
import type { RowsPartial } from '../../../engine/batch.js'
import { SortedMerge } from '../../../engine/sorted-merge.js'
import { seededRandom } from '../../helpers/random.js'

interface Row { readonly core: number; readonly index: number; readonly key: number }

/** Descending, NaN above every number (so first), ties by core then by index: the order the merge must give. */
function compareRows(a: Row, b: Row): number {
  const nanA = Number.isNaN(a.key)
  const nanB = Number.isNaN(b.key)
  if (nanA !== nanB) return nanA ? -1 : 1
  if (!nanA && a.key !== b.key) return b.key - a.key
  return a.core - b.core || a.index - b.index
}

/** One core's rows as batches of `batchRows`: each row's DataRow bytes are 4 bytes, its core and its index. */
function batchesOf(rows: ReadonlyArray<Row>, batchRows: number): RowsPartial[] {
  const batches: RowsPartial[] = []
  for (let from = 0; from < rows.length; from += batchRows) {
    const part = rows.slice(from, from + batchRows)
    const bytes = new Uint8Array(4 * part.length)
    const view = new DataView(bytes.buffer)
    part.forEach((row, i) => { view.setUint16(4 * i, row.core); view.setUint16(4 * i + 2, row.index) })
    const rowEnds = Int32Array.from(part, (_, i) => 4 * (i + 1))
    batches.push({
      kind: 'RowsPartial', rowCount: part.length, columns: [], encoded: { bytes, rowEnds, rowCount: part.length },
      sortKeys: [{ kind: 'f64', values: Float64Array.from(part, (row) => row.key) }],
    })
  }
  return batches
}

/** Merges the cores' rows, feeding each core's next batch when it gets credit back; the output rows and batch sizes. */
async function merged(cores: ReadonlyArray<ReadonlyArray<Row>>): Promise<{ rows: Row[]; batchSizes: number[] }> {
  const pending = cores.map((rows) => batchesOf(rows, 700))
  const send = (core: number): void => {
    const partial = pending[core]!.shift()
    merge.receive(core, { kind: 'ScanBatchResponse', id: 1, partial: partial ?? { kind: 'RowsPartial', rowCount: 0, columns: [] }, isLast: pending[core]!.length === 0 })
  }
  const merge: SortedMerge = new SortedMerge(cores.length, [{ column: 0, descending: true, nullsFirst: true }], (core) => { if (pending[core]!.length > 0) send(core) })
  cores.forEach((_, core) => send(core))
  const rows: Row[] = []
  const batchSizes: number[] = []
  for (let batch = await merge.next(); batch !== null; batch = await merge.next()) {
    batchSizes.push(batch.rowCount)
    const view = new DataView(batch.encoded!.bytes.buffer, batch.encoded!.bytes.byteOffset)
    for (let i = 0; i < batch.rowCount; i++) {
      const core = view.getUint16(4 * i)
      const index = view.getUint16(4 * i + 2)
      rows.push(cores[core]![index]!)
    }
  }
  return { rows, batchSizes }
}

describe('engine: SortedMerge', function () {
  const random = seededRandom(7)
  const cores = [0, 1, 2].map((core) => {
    const keys = Array.from({ length: 3000 + core * 500 }, () => (random() < 0.05 ? Number.NaN : Math.floor(random() * 200) / 4))
    const rows = keys.map((key, index) => ({ core, index, key }))
    // Each core's rows come sorted; a row's index is its place in its core's order.
    return rows.sort(compareRows).map((row, index) => ({ ...row, index }))
  })
  const expected = cores.flat().sort(compareRows)

  it('gives every row once, in the keys\' order, ties to the lower core', async function () {
    const { rows } = await merged(cores)
    assert.deepEqual(rows, expected)
  })

  it('cuts a batch when its time slice is up, after 256 rows, and the order is the same', async function () {
    const now = performance.now.bind(performance)
    let clockMs = 0
    performance.now = () => (clockMs += 10) // every reading is past the 1 ms slice
    try {
      const { rows, batchSizes } = await merged(cores)
      assert.deepEqual(rows, expected)
      assert.ok(batchSizes.length > 1 && batchSizes.every((size) => size <= 256), `batch sizes ${batchSizes.join(' ')}`)
      assert.ok(batchSizes.filter((size) => size === 256).length > batchSizes.length / 2, `batch sizes ${batchSizes.join(' ')}`)
    } finally {
      performance.now = now
    }
  })
})
