// Goal: the name cache returns the right string for any bytes even when every name collides in one slot, shares one
// string per repeated name, applies each context's escapes, and reports invalid UTF-8 as null.
// Method: NameCache with tiny slot counts, driven directly with hand-built and fast-check byte strings.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { ILP_NAME_CACHE_KEY_BYTES_MAX } from '../../../../src/common/limits.js'
import { NAME_HASH_SEED, NameCache, nameHashStep } from '../../../../wire/ilp/name-cache.js'

function hashOf(bytes: Buffer): number {
  let hash = NAME_HASH_SEED
  for (const byte of bytes) hash = nameHashStep(hash, byte)
  return hash
}

function intern(cache: NameCache, text: string | Buffer): string | null {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  const padded = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')])
  return cache.intern(padded, 2, 2 + bytes.length, hashOf(bytes))
}

describe('wire/ilp/name-cache', function () {
  it('returns the same string object for repeated names', function () {
    const cache = new NameCache('key-or-tag-value')
    const first = intern(cache, 'hostname')
    assert.equal(first, 'hostname')
    assert.equal(intern(cache, 'hostname'), first)
  })

  it('is right when every name lands in the same slot', function () {
    fc.assert(fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'é', 'x') }), { maxLength: 30 }), (names) => {
      const cache = new NameCache('key-or-tag-value', 1)
      for (const name of [...names, ...names]) assert.equal(intern(cache, name), name)
    }))
  })

  it('unescapes per context: measurements keep a backslash before "="', function () {
    const measurements = new NameCache('measurement')
    const keys = new NameCache('key-or-tag-value')
    assert.equal(intern(measurements, 'a\\ b\\,c\\=d\\\\e\\x'), 'a b,c\\=d\\\\e\\x')
    assert.equal(intern(keys, 'a\\ b\\,c\\=d\\\\e\\x'), 'a b,c=d\\\\e\\x')
  })

  it('decodes names longer than the cached bound each time, correctly', function () {
    const cache = new NameCache('key-or-tag-value')
    const long = 'é'.repeat(ILP_NAME_CACHE_KEY_BYTES_MAX)
    assert.equal(intern(cache, long), long)
    assert.equal(intern(cache, long), long)
  })

  it('returns null for invalid UTF-8, and does not cache it', function () {
    const cache = new NameCache('measurement', 1)
    assert.equal(intern(cache, Buffer.from([0x61, 0xc3])), null)
    assert.equal(intern(cache, Buffer.from([0x61, 0xc3, 0xa9])), 'aé')
    assert.equal(intern(cache, Buffer.from([0xed, 0xa0, 0x80])), null) // a UTF-16 surrogate encoded as UTF-8
  })
})
