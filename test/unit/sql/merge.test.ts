// test/unit/sql/merge: goal — partials from several cores merge into one row per group with correctly combined
// states. Method: hand-built AggPartials of two "cores" whose groups overlap (same bucket + host on both), compared
// with the values worked out by hand; plus raw RowsPartials and the empty no-group aggregate. Group lookup (nested
// Maps by key value) is compared on random partials with a reference that groups by a key text per group (NULL,
// -0 and 0, NaN, ±Infinity, ties across cores, three key columns). Groups emitted in key order (orderedGroups) are
// compared with the same rows sorted by ORDER BY's own comparator. A scan's only partial passed through as rows
// (appendGroupRows) is compared with the same partial through the merge, empty states (NULL min, NaN first time,
// count 0) included, and passesThrough's order test with partials that are and are not ascending.
import assert from 'node:assert/strict'
import type { AggPartial, RowsPartial } from '../../../engine/batch.js'
import { sqlType } from '../../../sql/bind/types.js'
import { keyOrderOf, keysComparator } from '../../../sql/exec/value-ops.js'
import { GroupTable, appendGroupRows, finishGroups, mergeAggregates, mergePartial, mergeRows, passesThrough, type AggregateOutput } from '../../../sql/physical/merge.js'

const T0 = Date.UTC(2024, 0, 1) * 1000
const T1 = T0 + 60e6

const OUTPUTS: ReadonlyArray<AggregateOutput> = [
  { fn: 'count', type: sqlType('int8') }, { fn: 'avg', type: sqlType('float8') }, { fn: 'sum', type: sqlType('int8') },
  { fn: 'min', type: sqlType('float8') }, { fn: 'max', type: sqlType('float8') },
  { fn: 'first', type: sqlType('float8') }, { fn: 'last', type: sqlType('float8') },
]

function core(buckets: number[], hosts: number[], dict: string[], numbers: {
  counts: number[]; sums: number[]; mins: number[]; maxs: number[]; firsts: number[]; firstTs: number[]; lasts: number[]; lastTs: number[]
}): AggPartial {
  return {
    kind: 'AggPartial',
    groupCount: buckets.length,
    keys: [{ kind: 'timestamp', values: Float64Array.from(buckets) }, { kind: 'symbol', ids: Int32Array.from(hosts), dict }],
    states: [
      { kind: 'count', counts: Float64Array.from(numbers.counts) },
      { kind: 'avg', sums: Float64Array.from(numbers.sums), counts: Float64Array.from(numbers.counts) },
      { kind: 'sum', sums: Float64Array.from(numbers.sums), counts: Float64Array.from(numbers.counts) },
      { kind: 'min', values: { kind: 'f64', values: Float64Array.from(numbers.mins) } },
      { kind: 'max', values: { kind: 'f64', values: Float64Array.from(numbers.maxs) } },
      { kind: 'first', values: { kind: 'f64', values: Float64Array.from(numbers.firsts) }, timestampsUs: Float64Array.from(numbers.firstTs) },
      { kind: 'last', values: { kind: 'f64', values: Float64Array.from(numbers.lasts) }, timestampsUs: Float64Array.from(numbers.lastTs) },
    ],
  }
}

/**
 * Random AggPartials (a seeded LCG): a float8 key from `floats` (one in five NULL), a symbol key from `dict` (NULL
 * too), with `withInt8` an int8 key of 0 or 1; counts 1–4.
 */
function randomPartials(seed: number, floats: number[], dict: string[], withInt8: boolean): (count: number) => AggPartial {
  let state = seed
  const next = (n: number): number => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return Math.floor((state / 2 ** 32) * n) }
  return (count) => ({
    kind: 'AggPartial', groupCount: count,
    keys: [
      { kind: 'f64', values: Float64Array.from({ length: count }, () => floats[next(floats.length)]!), nulls: Uint8Array.from({ length: count }, () => (next(5) === 0 ? 1 : 0)) },
      { kind: 'symbol', ids: Int32Array.from({ length: count }, () => next(dict.length + 1) - 1), dict },
      ...(withInt8 ? [{ kind: 'i64' as const, values: BigInt64Array.from({ length: count }, () => BigInt(next(2))) }] : []),
    ],
    states: [{ kind: 'count', counts: Float64Array.from({ length: count }, () => 1 + next(4)) }],
  })
}

describe('sql/physical merge', () => {
  it('merges overlapping groups from two cores', () => {
    // Core A: (T0, a) 2 rows sum 10, (T1, b) 1 row sum 5. Core B (other dictionary order): (T0, a) 3 rows sum 20.
    const coreA = core([T0, T1], [0, 1], ['a', 'b'], {
      counts: [2, 1], sums: [10, 5], mins: [4, 5], maxs: [6, 5], firsts: [4, 5], firstTs: [T0 + 10, T1], lasts: [6, 5], lastTs: [T0 + 50, T1],
    })
    const coreB = core([T0], [1], ['z', 'a'], {
      counts: [3], sums: [20], mins: [1], maxs: [9], firsts: [7], firstTs: [T0 + 5], lasts: [9], lastTs: [T0 + 40],
    })
    const rows = mergeAggregates([coreA, coreB], [sqlType('timestamptz'), sqlType('text')], OUTPUTS)
    const byKey = new Map(rows.map((row) => [`${String(row[0])}/${String(row[1])}`, row.slice(2)]))
    assert.equal(rows.length, 2)
    assert.deepEqual(byKey.get(`${T0}/a`), [5n, 6, 30n, 1, 9, 7, 6])
    assert.deepEqual(byKey.get(`${T1}/b`), [1n, 5, 5n, 5, 5, 5, 5])
  })

  it('yields one row of count 0 and NULLs for an ungrouped aggregate over no rows', () => {
    const rows = mergeAggregates([], [], OUTPUTS)
    assert.deepEqual(rows, [[0n, null, null, null, null, null, null]])
  })

  it('keeps NULL group keys apart from values', () => {
    const partial: AggPartial = {
      kind: 'AggPartial', groupCount: 2,
      keys: [{ kind: 'symbol', ids: Int32Array.from([-1, 0]), dict: ['null'] }],
      states: [{ kind: 'count', counts: Float64Array.from([1, 2]) }],
    }
    const rows = mergeAggregates([partial, partial], [sqlType('text')], [{ fn: 'count', type: sqlType('int8') }])
    assert.deepEqual(rows, [[null, 2n], ['null', 4n]])
  })

  it('merges every state kind over more groups than the table first holds (its columns grow)', () => {
    // 300 buckets on core A, the odd ones again on core B: each group's states worked out from both by hand.
    const buckets = Array.from({ length: 300 }, (_, i) => T0 + i * 60e6)
    const numbersOf = (shift: number, count: number) => ({
      counts: Array.from({ length: count }, (_, i) => 1 + ((i + shift) % 3)), sums: Array.from({ length: count }, (_, i) => i + shift),
      mins: Array.from({ length: count }, (_, i) => i - shift), maxs: Array.from({ length: count }, (_, i) => i + shift),
      firsts: Array.from({ length: count }, (_, i) => i * 10 + shift), firstTs: Array.from({ length: count }, () => T0 + shift),
      lasts: Array.from({ length: count }, (_, i) => i * 10 + shift), lastTs: Array.from({ length: count }, () => T0 + shift),
    })
    const odd = buckets.filter((_, i) => i % 2 === 1)
    const coreA = core(buckets, buckets.map(() => 0), ['h'], numbersOf(0, 300))
    const coreB = core(odd, odd.map(() => 0), ['h'], numbersOf(5, 150))
    const rows = mergeAggregates([coreA, coreB], [sqlType('timestamptz'), sqlType('text')], OUTPUTS)
    assert.equal(rows.length, 300)
    for (const [i, row] of rows.entries()) {
      assert.equal(row[0], buckets[i])
      const a = { count: 1 + (i % 3), sum: i }
      if (i % 2 === 0) {
        assert.deepEqual(row.slice(2), [BigInt(a.count), a.sum / a.count, BigInt(a.sum), i, i, i * 10, i * 10])
        continue
      }
      const j = (i - 1) / 2 // core B's group of the same bucket
      const b = { count: 1 + ((j + 5) % 3), sum: j + 5 }
      const count = a.count + b.count
      // B's first and last are 5 µs later than A's: A keeps first, B wins last.
      assert.deepEqual(row.slice(2), [BigInt(count), (a.sum + b.sum) / count, BigInt(a.sum + b.sum), Math.min(i, j - 5), Math.max(i, j + 5), i * 10, j * 10 + 5])
    }
  })

  it('concatenates raw partials and reads values by SQL type', () => {
    const part = (n: number): RowsPartial => ({
      kind: 'RowsPartial', rowCount: 1,
      columns: [
        { kind: 'i64', values: BigInt64Array.from([BigInt(n)]) }, { kind: 'i64', values: BigInt64Array.from([BigInt(n)]) },
        { kind: 'f64', values: Float64Array.from([0]), nulls: Uint8Array.from([1]) }, { kind: 'bool', values: Uint8Array.from([1]) },
      ],
    })
    const rows = mergeRows([part(1), part(2)], [sqlType('int4'), sqlType('int8'), sqlType('float8'), sqlType('bool')])
    assert.deepEqual(rows, [[1, 1n, null, true], [2, 2n, null, true]])
  })

  it('groups random partials exactly as grouping by key text does (NULL, -0, NaN, ±Infinity, three keys)', () => {
    const partialOf = randomPartials(7, [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5], ['1', 'b'], true)
    const partials = [partialOf(300), partialOf(200), partialOf(0)]
    const keyTypes = [sqlType('float8'), sqlType('text'), sqlType('int8')]
    const rows = mergeAggregates(partials, keyTypes, [{ fn: 'count', type: sqlType('int8') }])
    // Reference: the key text of each group (typeof and String, so -0 meets 0 and NaN meets NaN), in first-seen order.
    const text = (v: unknown): string => (v === null ? 'N' : `${typeof v}:${String(v)}`)
    const expected = new Map<string, { keys: unknown[]; count: bigint }>()
    for (const partial of partials) {
      for (let g = 0; g < partial.groupCount; g++) {
        const f = partial.keys[0]!
        const s = partial.keys[1]!
        const i = partial.keys[2]!
        if (f.kind !== 'f64' || s.kind !== 'symbol' || i.kind !== 'i64' || partial.states[0]!.kind !== 'count') throw new Error('shape')
        const keys = [f.nulls![g] === 1 ? null : f.values[g]!, s.ids[g] === -1 ? null : s.dict[s.ids[g]!]!, i.values[g]!]
        const key = keys.map(text).join('\u0000')
        const entry = expected.get(key) ?? { keys, count: 0n }
        entry.count += BigInt(partial.states[0]!.counts[g]!)
        expected.set(key, entry)
      }
    }
    assert.deepEqual(rows, [...expected.values()].map((entry) => [...entry.keys, entry.count]))
    assert.ok(rows.length > 20 && rows.length < 500, `${rows.length} groups: keys repeat across and within cores`)
  })

  it('emits groups in ORDER BY key order (NULLs last, NaN above numbers, text by code unit) when asked', () => {
    const dict = ['b', 'B', 'a', 'ä', 'z', '\u{1F600}', '\uFFFD', 'host_10', 'host_9', '']
    const partialOf = randomPartials(11, [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1.5, -2], dict, false)
    const keyTypes = [sqlType('float8'), sqlType('text')]
    const outputs: AggregateOutput[] = [{ fn: 'count', type: sqlType('int8') }]
    const groups = new GroupTable()
    for (const partial of [partialOf(300), partialOf(150)]) mergePartial(partial, keyTypes, outputs, groups)
    const unordered = finishGroups(groups, keyTypes, outputs)
    const ordered = finishGroups(groups, keyTypes, outputs, groups.orderedGroups(keyTypes.map(keyOrderOf)))
    const slot = (i: number) => ({ kind: 'Slot', slot: i, type: keyTypes[i]!, name: '' }) as const
    const compare = keysComparator([0, 1].map((i) => ({ expr: slot(i), descending: false, nullsFirst: false })))
    assert.deepEqual(ordered, [...unordered].sort((a, b) => compare(a, b)))
    assert.notDeepEqual(ordered, unordered, 'first-appearance order is not already sorted')
    assert.equal(groups.orderedGroups([keyOrderOf(sqlType('float8')), keyOrderOf(sqlType('int8'))]), null, 'int8 keys are bigints: no order here')
  })

  it('passes an only partial through as the rows the merge makes of it, empty states included', () => {
    const one = core([T0 + 120e6, T0, T1], [0, 1, 0], ['a', 'b'], {
      counts: [2, 0, 1], sums: [10, 0, 5], mins: [4, 0, 5], maxs: [6, 0, 5], firsts: [4, 0, 5], firstTs: [T0 + 10, Number.NaN, T1],
      lasts: [6, 0, 5], lastTs: [T0 + 50, Number.NaN, T1],
    })
    const min = one.states[3]!
    if (min.kind !== 'min' || min.values.kind !== 'f64') throw new Error('shape')
    const emptyGroup = { ...one, states: one.states.map((state, a) => (a === 3 ? { ...min, values: { ...min.values, nulls: Uint8Array.from([0, 1, 0]) } } : state)) }
    const keyTypes = [sqlType('timestamptz'), sqlType('text')]
    assert.ok(passesThrough(emptyGroup, false))
    const rows: unknown[][] = []
    for (const [from, to] of [[0, 2], [2, 3]] as const) appendGroupRows(emptyGroup, keyTypes, OUTPUTS, rows as never, from, to)
    assert.deepEqual(rows, mergeAggregates([emptyGroup], keyTypes, OUTPUTS))
    assert.deepEqual(rows[1], [T0, 'b', 0n, null, null, null, 0, null, null], 'a group of no rows: count 0, the rest NULL')
    assert.equal(passesThrough(emptyGroup, true), false, 'two keys: the merge orders them')
  })

  it('passes an only partial through in key order only when its one number key already ascends', () => {
    const bucketsOf = (values: number[], nulls?: number[]): AggPartial => ({
      kind: 'AggPartial', groupCount: values.length,
      keys: [{ kind: 'timestamp', values: Float64Array.from(values), ...(nulls === undefined ? {} : { nulls: Uint8Array.from(nulls) }) }],
      states: [{ kind: 'count', counts: Float64Array.from(values, () => 1) }],
    })
    assert.ok(passesThrough(bucketsOf([T0, T1, T1 + 1]), true))
    assert.ok(passesThrough(bucketsOf([T0, T1], [0, 0]), true), 'a null mask with no NULL in it')
    assert.ok(passesThrough(bucketsOf([T1, T0]), false), 'no order wanted: any order passes')
    assert.equal(passesThrough(bucketsOf([T1, T0]), true), false)
    assert.equal(passesThrough(bucketsOf([T0, T1], [0, 1]), true), false, 'NULL sorts last: the merge decides')
    assert.equal(passesThrough(bucketsOf([Number.NaN, T0]), true), false)
    assert.equal(passesThrough(bucketsOf([T0, Number.NaN]), true), false)
    const global: AggPartial = { kind: 'AggPartial', groupCount: 0, keys: [], states: [{ kind: 'count', counts: new Float64Array(0) }] }
    assert.equal(passesThrough(global, false), false, 'a global aggregate over no rows: its one row is the merge\'s')
  })
})
