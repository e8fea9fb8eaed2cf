// Goal: the COPY fast path's cache of tag runs (sql/exec/copy-fast-span.ts) writes ids only for a run whose bytes are
// exactly those of a run it learned, and learns only runs whose every field went by its symbol path in that row.
// Method: SymbolSpanCache driven directly with recording fields; the hash collision is a pair of runs with the same
// FNV-1a hash, found by a birthday search (its hash is printed in the test name). The successor guess (the span that
// followed the previous row's span) is driven with lines that share its bytes as a prefix, or end with it.
import assert from 'node:assert/strict'
import { SymbolSpanCache, type SpanField } from '../../../sql/exec/copy-fast-span.js'

const TAB = 9

class Field implements SpanField {
  lastId = -1
  lastRow = -1
  readonly written = new Map<number, number>()
  setId(row: number, id: number): void {
    this.written.set(row, id)
    this.lastId = id
    this.lastRow = row
  }

  putId(row: number, id: number): void {
    this.written.set(row, id)
  }
}

/** Runs the per-field way for `row`: each field gets `ids[k]` (undefined: the field was NULL, no id written). */
function perField(fields: Field[], row: number, ids: ReadonlyArray<number | undefined>): void {
  ids.forEach((id, k) => { if (id !== undefined) fields[k]!.setId(row, id) })
}

/** take() then, on a miss, the per-field way and learn(), as copy-fast.ts's fill does; true on a hit. */
function line(cache: SymbolSpanCache, fields: Field[], text: string, row: number, ids: ReadonlyArray<number | undefined>): boolean {
  const bytes = Buffer.from(text)
  if (cache.take(bytes, 0, bytes.length, TAB, row) >= 0) return true
  perField(fields, row, ids)
  cache.learn(bytes, row)
  return false
}

describe('sql/exec/copy-fast-span', () => {
  it('hits a run it learned, with the ids it learned, and ends where the run ends', () => {
    const fields = [new Field(), new Field()]
    const cache = new SymbolSpanCache(fields)
    assert.equal(line(cache, fields, 'h1\tdc1', 0, [3, 4]), false)
    const bytes = Buffer.from('h1\tdc1\t1.5')
    assert.equal(cache.take(bytes, 0, bytes.length, TAB, 1), 'h1\tdc1'.length)
    assert.deepEqual(fields.map((f) => f.written.get(1)), [3, 4])
  })

  it('misses a run of different bytes with the same hash (FNV-1a 3481428663)', () => {
    const fields = [new Field(), new Field()]
    const cache = new SymbolSpanCache(fields)
    assert.equal(line(cache, fields, 'h32671\td13888', 0, [1, 2]), false)
    assert.equal(line(cache, fields, 'h91886\td23406', 1, [5, 6]), false, 'a collision is not a hit')
    assert.equal(line(cache, fields, 'h32671\td13888', 2, [1, 2]), true)
    assert.deepEqual(fields.map((f) => f.written.get(2)), [1, 2])
  })

  it('takes the successor of the previous row\'s span only when the run is exactly its bytes', () => {
    const fields = [new Field(), new Field()]
    const cache = new SymbolSpanCache(fields)
    const runs = ['h1\tdc1', 'h2\tdc1', 'h3\tdc2']
    runs.forEach((run, r) => assert.equal(line(cache, fields, `${run}\t1.5`, r, [r * 2, r * 2 + 1]), false))
    // Row 3 repeats h1: a hash hit; h2 (the guess after h1) then hits by comparison, ending at its delimiter.
    assert.equal(line(cache, fields, 'h1\tdc1\t2', 3, [0, 1]), true)
    const next = Buffer.from('h2\tdc1\t2.5')
    assert.equal(cache.take(next, 0, next.length, TAB, 4), 'h2\tdc1'.length)
    assert.deepEqual(fields.map((f) => f.written.get(4)), [2, 3])
    // The guess (h3 after h2) is a prefix of this run, which goes on: no hit, and a new run learned the usual way.
    assert.equal(line(cache, fields, 'h3\tdc22\t1', 5, [4, 6]), false)
    assert.deepEqual(fields.map((f) => f.written.get(5)), [4, 6])
    // A run that ends the line is its span exactly: the guess after h1 (h2) hits at the line end.
    assert.equal(line(cache, fields, 'h1\tdc1', 6, [0, 1]), true)
    const atEnd = Buffer.from('h2\tdc1')
    assert.equal(cache.take(atEnd, 0, atEnd.length, TAB, 7), atEnd.length)
    // A line cut short inside the guessed run: no hit.
    assert.equal(line(cache, fields, 'h1\tdc1', 8, [0, 1]), true)
    const short = Buffer.from('h2\tdc')
    assert.equal(cache.take(short, 0, short.length, TAB, 9), -1)
  })

  it('does not learn a run with a NULL field, nor hit a line cut short inside the run', () => {
    const fields = [new Field(), new Field()]
    const cache = new SymbolSpanCache(fields)
    assert.equal(line(cache, fields, 'h1\t\\N', 0, [3, undefined]), false)
    assert.equal(line(cache, fields, 'h1\t\\N', 1, [3, undefined]), false, 'never learned')
    const short = Buffer.from('h1')
    assert.equal(cache.take(short, 0, short.length, TAB, 2), -1)
  })
})
