// engine/wal/crc32c: CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven, for WAL records.
// Pinned by test vector crc32c("123456789") = 0xE3069283 (test/unit/engine/crc32c.test.ts). Knows nothing of records.

function buildTable(): Uint32Array {
  const table = new Uint32Array(256)
  for (let i = 0; i < 256; i++) {
    let c = i
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    table[i] = c >>> 0
  }
  return table
}

const TABLE = buildTable()

/** CRC32C of bytes[from, to), continuing from `seed` (a previous result) when given. Unsigned 32-bit result. */
export function crc32c(bytes: Uint8Array, from = 0, to = bytes.length, seed = 0): number {
  let crc = (seed ^ 0xffffffff) >>> 0
  for (let i = from; i < to; i++) {
    crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}
