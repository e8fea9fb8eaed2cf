// Goal: gatherVector builds the same vectors as the plain per-cell definition — symbol cells re-numbered under one
// dictionary in order of first appearance across memtables with different dictionaries (NULL ids, missing columns,
// memtable -1), fixed-width cells with their NULLs — now that symbol ids are translated per source dictionary.
// Method: random memtables and cell references, against a reference written cell by cell here.
import assert from 'node:assert/strict'
import type { ColumnVector } from '../../../engine/batch.js'
import { gatherVector, type CellRefs } from '../../../engine/timeseries/gather.js'
import type { MemColumn } from '../../../engine/timeseries/memtable.js'
import { seededRandom } from '../../helpers/random.js'

const WORDS = ['a', 'b', 'c', 'd', 'e', 'f']

function symbolColumn(random: () => number, rows: number): MemColumn {
  const dict = WORDS.filter(() => random() < 0.7)
  const ids = Int32Array.from({ length: rows }, () => (dict.length === 0 || random() < 0.15 ? -1 : Math.floor(random() * dict.length)))
  return { kind: 'symbol', ids, dict, lookup: new Map(dict.map((w, i) => [w, i])) }
}

function floatColumn(random: () => number, rows: number): MemColumn {
  const values = Float64Array.from({ length: rows }, () => (random() < 0.1 ? -0 : random() < 0.1 ? Number.NaN : random() * 100))
  return { kind: 'f64', values, nulls: Uint8Array.from({ length: rows }, () => (random() < 0.2 ? 1 : 0)) }
}

/** The definition: each cell looked up by its text, ids in order of first appearance. */
function referenceSymbols(columns: ReadonlyArray<MemColumn>, refs: CellRefs): ColumnVector {
  const dict: string[] = []
  const ids = Int32Array.from({ length: refs.count }, (_, i) => {
    const column = columns[refs.tables[i]!]
    if (column?.kind !== 'symbol') return -1
    const local = column.ids[refs.rows[i]!]!
    if (local < 0) return -1
    const text = column.dict[local]!
    if (!dict.includes(text)) dict.push(text)
    return dict.indexOf(text)
  })
  return { kind: 'symbol', ids, dict }
}

function cells(vector: ColumnVector): string[] {
  if (vector.kind === 'symbol') return Array.from(vector.ids, (id) => (id < 0 ? 'NULL' : `${id}:${vector.dict[id]!}`))
  if (vector.kind === 'f64') return Array.from(vector.values, (v, i) => (vector.nulls?.[i] === 1 ? 'NULL' : Object.is(v, -0) ? '-0' : String(v)))
  throw new Error(vector.kind)
}

function randomRefs(random: () => number, memtableCount: number, rows: number): CellRefs {
  const count = Math.floor(random() * 200)
  return {
    count,
    tables: Int32Array.from({ length: count }, () => (random() < 0.05 ? -1 : Math.floor(random() * memtableCount))),
    rows: Int32Array.from({ length: count }, () => Math.floor(random() * rows)),
  }
}

describe('engine/timeseries gatherVector', () => {
  it('numbers symbol cells by first appearance under one dictionary, as the cell-by-cell definition', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seededRandom(seed)
      const columns = Array.from({ length: 1 + Math.floor(random() * 4) }, () => symbolColumn(random, 50))
      const refs = randomRefs(random, columns.length, 50)
      const got = gatherVector('symbol', columns, refs)
      assert.deepEqual(cells(got), cells(referenceSymbols(columns, refs)), `seed ${seed}`)
      assert.equal(got.kind === 'symbol' && new Set(got.dict).size, got.kind === 'symbol' && got.dict.length)
    }
  })

  it('gathers float cells with their NULLs, NaN and -0', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const random = seededRandom(seed * 31)
      const columns = Array.from({ length: 1 + Math.floor(random() * 3) }, () => floatColumn(random, 40))
      const refs = randomRefs(random, columns.length, 40)
      const expected = Array.from({ length: refs.count }, (_, i) => {
        const column = columns[refs.tables[i]!]
        if (column?.kind !== 'f64' || column.nulls[refs.rows[i]!] === 1) return 'NULL'
        const v = column.values[refs.rows[i]!]!
        return Object.is(v, -0) ? '-0' : String(v)
      })
      assert.deepEqual(cells(gatherVector('f64', columns, refs)), expected, `seed ${seed}`)
    }
  })
})
