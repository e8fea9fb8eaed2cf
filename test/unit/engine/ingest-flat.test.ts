// Goal: the flat IngestRecord payload (engine/wal/ingest-flat.ts) carries every ColumnVector kind unchanged, its
// byte layout stays what the WAL format comment says (an on-disk format), it decodes into views of the payload when
// aligned and into a copy when not, it refuses every truncation and bad kind instead of misreading, and a WAL written
// before it (msgpack payloads) still replays. Method: round trips compared with deepStrictEqual, one payload compared
// with bytes built by hand, every prefix of a payload decoded, and a real engine opened on a WAL whose records were
// appended by hand in the old format (checkAnswers compares the engine's scans with the rows).
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { ColumnBatch } from '../../../engine/batch.js'
import { FrameCodec } from '../../../engine/bridge/frame-codec.js'
import { openEngine } from '../../../engine/engine.js'
import { decodeFlatPayload, encodeFlatPayload, flatPayloadBytes, IngestEncodeBuffers } from '../../../engine/wal/ingest-flat.js'
import { decodeIngestPayload, encodeIngestPayload, encodeMsgpackIngestPayload, peekIngestRowCount } from '../../../engine/wal/ingest-payload.js'
import { encodeWalRecord } from '../../../engine/wal/record.js'
import { asLsn } from '../../../src/common/ids.js'
import { INGEST_ENCODE_BUFFERS_MAX_COUNT } from '../../../src/common/limits.js'
import { checkAnswers, createCpu, EVERY_KIND_BATCH, makeRows, toBatch } from './engine-fixture.js'

const batch = EVERY_KIND_BATCH

describe('engine/wal/ingest-flat', () => {
  it('round-trips every vector kind, nulls, NaN, -0, extreme bigints and UTF-8 strings', () => {
    const bytes = encodeIngestPayload(batch)
    assert.equal(bytes.length, flatPayloadBytes(batch))
    assert.deepStrictEqual(decodeIngestPayload(new FrameCodec(), bytes), batch)
    assert.equal(peekIngestRowCount(bytes), 3)
  })

  it('pins the byte layout of the format comment', () => {
    const small: ColumnBatch = { rowCount: 2, columns: [
      { kind: 'f64', values: new Float64Array([1, 2]), nulls: new Uint8Array([0, 1]) },
      { kind: 'symbol', ids: new Int32Array([1, 0]), dict: ['ab'] },
    ] }
    const f64 = (x: number) => [...new Uint8Array(new Float64Array([x]).buffer)]
    const expected = [
      0xc1, 1, 2, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // mark, version, columnCount, rowCount, reserved
      3, 1, 0, 0, 0, 0, 0, 0, ...f64(1), ...f64(2), 0, 1, 0, 0, 0, 0, 0, 0, // f64 with a null map (padded to 8)
      2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x61, 0x62, 0, 0, // symbol: ids, then "ab", padded
    ]
    assert.deepStrictEqual([...encodeIngestPayload(small)], expected)
  })

  it('decodes an aligned payload into views of it, a misaligned one into a copy', () => {
    const bytes = encodeIngestPayload(batch)
    const aligned = decodeFlatPayload(bytes)
    assert.ok(aligned !== undefined && aligned.columns[0]!.kind === 'timestamp')
    assert.equal(aligned.columns[0].values.buffer, bytes.buffer)
    const shifted = new Uint8Array(bytes.length + 3)
    shifted.set(bytes, 3)
    const copied = decodeFlatPayload(shifted.subarray(3))
    assert.deepStrictEqual(copied, batch)
    assert.ok(copied !== undefined && copied.columns[0]!.kind === 'timestamp')
    assert.notEqual(copied.columns[0].values.buffer, shifted.buffer)
  })

  it('refuses every truncation, a trailing byte, an unknown kind and another version', () => {
    const bytes = encodeIngestPayload(batch)
    for (let length = 0; length < bytes.length; length++) assert.equal(decodeFlatPayload(bytes.slice(0, length)), undefined, `prefix ${length}`)
    const longer = new Uint8Array(bytes.length + 8)
    longer.set(bytes)
    assert.equal(decodeFlatPayload(longer), undefined)
    const badKind = bytes.slice()
    badKind[16] = 99
    assert.equal(decodeFlatPayload(badKind), undefined)
    const badVersion = bytes.slice()
    badVersion[1] = 2
    assert.equal(decodeFlatPayload(badVersion), undefined)
  })

  it('reuses buffers given back, and keeps at most the bounded number', () => {
    const buffers = new IngestEncodeBuffers()
    const first = buffers.take(flatPayloadBytes(batch))
    encodeFlatPayload(batch, first)
    buffers.give(first)
    const second = buffers.take(flatPayloadBytes(batch))
    assert.equal(second.buffer, first.buffer)
    assert.deepStrictEqual(decodeFlatPayload(encodeFlatPayload(batch, second)), batch)
    const count = INGEST_ENCODE_BUFFERS_MAX_COUNT + 6
    const many = Array.from({ length: count }, () => buffers.take(100))
    for (const bytes of many) buffers.give(bytes)
    const taken = new Set(Array.from({ length: count }, () => buffers.take(100).buffer))
    assert.equal(many.filter((bytes) => taken.has(bytes.buffer)).length, INGEST_ENCODE_BUFFERS_MAX_COUNT)
  })

  it('replays a WAL whose records hold msgpack payloads (written before the flat layout) with every row', async function () {
    this.timeout(30_000)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-old-wal-'))
    try {
      const config = { dataDir: dir, coreCount: 2, memtableMb: 64, fsync: 'off' as const }
      const engine = await openEngine(config)
      const tableId = await createCpu(engine)
      const fresh = makeRows(100, 1)
      await engine.execute({ kind: 'IngestOp', v: 1, tableId, batch: toBatch(fresh) })
      await engine.close()
      const walDir = path.join(dir, 'wal')
      const last = fs.readdirSync(walDir).sort().pop()
      assert.ok(last !== undefined)
      const old = [makeRows(300, 2), makeRows(50, 3)]
      const codec = new FrameCodec()
      old.forEach((rows, i) => fs.appendFileSync(path.join(walDir, last),
        encodeWalRecord(asLsn(2 + i), 'IngestRecord', tableId, encodeMsgpackIngestPayload(codec, toBatch(rows)))))
      const reopened = await openEngine(config)
      try {
        await checkAnswers(reopened, tableId, [...fresh, ...old.flat()])
      } finally {
        await reopened.close()
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
