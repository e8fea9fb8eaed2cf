// test/unit/sql/copy-data-ring: the CopyData ring's room accounting (copy-data-ring.ts), without a worker. Method:
// chunks of random sizes are put in as a COPY's sink does while a simulated worker parses them in order at a random
// pace; every chunk read back at its place when "parsed" must still hold its bytes (no region handed out twice), a
// put fails only while chunks are unparsed, and an empty ring takes its largest chunk.
import { strict as assert } from 'node:assert'
import { COPY_DATA_RING_CHUNK_BYTES_MAX, CopyDataRing } from '../../../sql/exec/copy-data-ring.js'

/** A small deterministic generator (xorshift32), so a failure replays. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
}

describe('sql/exec/copy-data-ring', () => {
  it('hands out no region twice while chunks are unparsed, wrapping around, and fills up before refusing', () => {
    const next = random(12345)
    const ring = new CopyDataRing()
    const view = new Uint8Array(ring.buffer)
    const unparsed: Array<{ at: number; bytes: Uint8Array }> = []
    let posted = 0
    let parsed = 0
    let wraps = 0
    let refusals = 0
    let lastAt = 0
    for (let step = 0; step < 5000; step++) {
      if (next() < 0.45 && unparsed.length > 0) {
        const chunk = unparsed.shift()!
        assert.deepEqual(view.subarray(chunk.at, chunk.at + chunk.bytes.length), chunk.bytes, `chunk ${parsed + 1} intact when parsed`)
        parsed++
        continue
      }
      const length = 1 + Math.floor(next() * COPY_DATA_RING_CHUNK_BYTES_MAX)
      const bytes = new Uint8Array(length).fill(posted % 251)
      bytes[0] = step & 0xff
      const at = ring.put(bytes, posted + 1, parsed)
      if (at < 0) {
        refusals++
        assert.ok(unparsed.length > 0, 'a refusal only with chunks unparsed')
        continue
      }
      if (at < lastAt) wraps++
      lastAt = at
      unparsed.push({ at, bytes })
      posted++
    }
    assert.ok(wraps > 10 && refusals > 10, `the run wrapped (${wraps}) and filled up (${refusals})`)
  })

  it('takes any chunk up to its largest once nothing is unparsed', () => {
    const ring = new CopyDataRing()
    for (let n = 1; n <= 8; n++) assert.ok(ring.put(new Uint8Array(COPY_DATA_RING_CHUNK_BYTES_MAX), n, n - 1) >= 0, `chunk ${n}`)
  })
})
