// test/unit/sql/lru-map: the parse caches' LRU order. A hit on the newest key moves nothing (lru-map.ts); the order
// must stay what moving it would give: eviction takes the least recently used key.
import { strict as assert } from 'node:assert'
import { LruMap } from '../../../sql/parse/lru-map.js'

const keysAfter = (map: LruMap<string, number>, keys: ReadonlyArray<string>): string[] => keys.filter((key) => map.get(key) !== undefined)

describe('sql/parse/lru-map', () => {
  it('evicts the least recently used key, whether or not the hit was on the newest', () => {
    const map = new LruMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    assert.equal(map.get('a'), 1) // a is now the newest
    assert.equal(map.get('a'), 1) // a hit on the newest: nothing moves
    map.set('c', 3) // evicts b
    assert.deepEqual([map.get('b'), map.get('c')], [undefined, 3])
    assert.equal(map.get('a'), 1) // c was the newest: a moves to the back
    map.set('d', 4) // evicts c
    assert.deepEqual(keysAfter(map, ['a', 'b', 'c', 'd']), ['a', 'd'])
  })

  it('a key set again becomes the newest', () => {
    const map = new LruMap<string, number>(2)
    map.set('a', 1)
    map.set('b', 2)
    map.set('a', 10) // a moves to the back with its new value
    assert.equal(map.get('b'), 2) // b moves to the back
    map.set('c', 3) // evicts a
    assert.deepEqual([map.get('a'), map.get('b'), map.get('c')], [undefined, 2, 3])
  })
})
