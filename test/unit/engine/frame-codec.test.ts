// Goal: msgpackr frames carry every ColumnVector kind (and the ring messages) unchanged: typed arrays come back as
// the same typed array classes, bigints as bigints, ±Infinity and nulls intact. Method: encode/decode round trips
// compared with deepStrictEqual and explicit class checks.
import assert from 'node:assert/strict'
import type { ColumnBatch, ColumnVector } from '../../../engine/batch.js'
import { FrameCodec } from '../../../engine/bridge/frame-codec.js'
import type { CoreRequest, CoreResponse } from '../../../engine/bridge/messages.js'
import { RingConsumer, RingProducer, createRingBuffers, type RingMessage } from '../../../engine/bridge/spsc-ring.js'
import { asLsn, asTableId } from '../../../src/common/ids.js'

const vectors: ReadonlyArray<ColumnVector> = [
  { kind: 'timestamp', values: new Float64Array([1_700_000_000_000_000, -5, 0]) },
  { kind: 'f64', values: new Float64Array([1.5, Number.NaN, -0]), nulls: new Uint8Array([0, 1, 0]) },
  { kind: 'i64', values: new BigInt64Array([1n, -(2n ** 63n), 2n ** 63n - 1n]) },
  { kind: 'bool', values: new Uint8Array([1, 0, 1]), nulls: new Uint8Array([0, 0, 1]) },
  { kind: 'symbol', ids: new Int32Array([0, -1, 1]), dict: ['a', 'b'] },
  { kind: 'text', values: ['x', null, ''] },
]

/** The bytes a ring delivers for `message` (its parts side by side). */
function frameBytes(message: RingMessage): Uint8Array {
  return message instanceof Uint8Array ? message : Buffer.concat(message)
}

/** A message pushed fragment by fragment through a small real ring, as the consumer reassembles it. */
function acrossRing(message: RingMessage): Uint8Array {
  const buffers = createRingBuffers(16 * 1024, 4 * 1024)
  const producer = new RingProducer(buffers)
  const consumer = new RingConsumer(buffers)
  let offset = 0
  let received: Uint8Array | null = null
  while (received === null) {
    if (offset < frameBytes(message).length) offset = producer.pushSome(message, offset)
    received = consumer.pop()
  }
  return received
}

describe('engine/bridge/frame-codec', () => {
  const codec = new FrameCodec()

  for (const vector of vectors) {
    it(`round-trips a ${vector.kind} vector with its typed arrays`, () => {
      const back = codec.decode(codec.encode(vector))
      assert.deepStrictEqual(back, vector)
      if (vector.kind === 'symbol') {
        assert.ok(typeof back === 'object' && back !== null && 'ids' in back && back.ids instanceof Int32Array)
      } else if (vector.kind !== 'text') {
        const type = vector.values.constructor
        assert.ok(typeof back === 'object' && back !== null && 'values' in back && back.values instanceof type)
        assert.equal((back.values as object).constructor, type)
      }
    })
  }

  it('round-trips an ApplyIngestRequest and a ScanResponse', () => {
    const batch: ColumnBatch = { rowCount: 3, columns: vectors }
    const request: CoreRequest = {
      kind: 'ApplyIngestRequest', id: 7, tableId: asTableId(3), lsn: asLsn(42), batch, vShards: new Uint16Array([1, 2, 1023]),
    }
    assert.deepStrictEqual(codec.decodeRequest(frameBytes(codec.encodeRequest(request))), request)
    const response: CoreResponse = {
      kind: 'ScanResponse', id: 8,
      partial: { kind: 'AggPartial', groupCount: 1, keys: [vectors[0]!], states: [{ kind: 'count', counts: new Float64Array([3]) }] },
    }
    assert.deepStrictEqual(codec.decodeResponse(frameBytes(codec.encodeResponse(response))), response)
  })

  it('round-trips the streaming scan messages', () => {
    const op = {
      kind: 'ScanOp' as const, v: 1 as const, tableId: asTableId(3), timeRange: { fromUs: 0, toUs: Number.POSITIVE_INFINITY },
      filters: [], projection: [0, 1], groupBy: [], aggregates: [], limit: null,
    }
    const requests: CoreRequest[] = [
      { kind: 'StreamScanRequest', id: 9, op, segments: [], creditCount: 4 },
      { kind: 'ScanCreditRequest', id: 10, streamId: 9, creditCount: 1 },
      { kind: 'ScanCancelRequest', id: 11, streamId: 9 },
    ]
    for (const request of requests) assert.deepStrictEqual(codec.decodeRequest(frameBytes(codec.encodeRequest(request))), request)
    const response: CoreResponse = {
      kind: 'ScanBatchResponse', id: 9, isLast: false, partial: { kind: 'RowsPartial', rowCount: 3, columns: [vectors[0]!] },
    }
    assert.deepStrictEqual(codec.decodeResponse(frameBytes(codec.encodeResponse(response))), response)
  })

  it('frames a large raw ingest payload in two parts without copying it, and decodes it across a ring', () => {
    const payload = codec.encode({ rowCount: 3, columns: vectors, pad: new Uint8Array(40_000).fill(7) })
    const request: CoreRequest = {
      kind: 'ApplyRawIngestRequest', id: 12, tableId: asTableId(3), lsn: asLsn(43), coreCount: 2, payload, skipVShards: null,
    }
    const message = codec.encodeRequest(request)
    assert.ok(Array.isArray(message), 'a large payload is a separate part')
    assert.equal(message[message.length - 1], payload, 'the payload part is the caller\'s bytes, not a copy')
    const received = acrossRing(message)
    const back = codec.decodeRequest(received)
    assert.deepStrictEqual({ ...back, payload: Buffer.from(back.kind === 'ApplyRawIngestRequest' ? back.payload : []) },
      { ...request, payload: Buffer.from(payload) })
    const small = { ...request, payload: payload.subarray(0, 100) }
    assert.ok(codec.encodeRequest(small) instanceof Uint8Array, 'a small payload stays inline')
    assert.deepStrictEqual(codec.decodeRequest(frameBytes(codec.encodeRequest(small))), { ...small, payload: Buffer.from(small.payload) })
  })

  it('sends a scan batch\'s many DataRow bytes as a second part, uncopied, and decodes them as a view of the frame', () => {
    const bytes = new Uint8Array(50_000).map((_, i) => (i * 7) & 0xff)
    const rowEnds = Int32Array.from({ length: 100 }, (_, i) => (i + 1) * 500)
    const response: CoreResponse = {
      kind: 'ScanBatchResponse', id: 13, isLast: true,
      partial: { kind: 'RowsPartial', rowCount: 100, columns: [], encoded: { bytes, rowEnds, rowCount: 100 } },
    }
    const message = codec.encodeResponse(response)
    assert.ok(Array.isArray(message), 'the DataRow bytes are a separate part')
    assert.equal(message[message.length - 1], bytes, 'the part is the core\'s bytes, not a copy')
    const received = acrossRing(message)
    const back = codec.decodeResponse(received)
    assert.ok(back.kind === 'ScanBatchResponse' && back.partial.encoded !== undefined)
    assert.equal(back.partial.encoded.bytes.buffer, received.buffer, 'a view of the received frame')
    assert.deepStrictEqual({ ...back, partial: { ...back.partial, encoded: { ...back.partial.encoded, bytes: Buffer.from(back.partial.encoded.bytes) } } },
      { ...response, partial: { ...response.partial, encoded: { bytes: Buffer.from(bytes), rowEnds, rowCount: 100 } } })
    const small: CoreResponse = { ...response, partial: { ...response.partial, encoded: { bytes: bytes.subarray(0, 500), rowEnds: rowEnds.subarray(0, 1), rowCount: 1 } } }
    assert.ok(codec.encodeResponse(small) instanceof Uint8Array, 'a small batch stays inline')
    assert.deepStrictEqual(codec.decodeResponse(frameBytes(codec.encodeResponse(small))), small)
  })

  it('keeps ±Infinity time ranges and bigint filter values', () => {
    const op = { timeRange: { fromUs: Number.NEGATIVE_INFINITY, toUs: Number.POSITIVE_INFINITY }, values: [5n, 1, 'a', true] }
    assert.deepStrictEqual(codec.decode(codec.encode(op)), op)
  })

  it('decoded typed arrays do not alias the frame bytes', () => {
    const frame = codec.encode({ values: new Float64Array([1, 2]) })
    const back = codec.decode(frame)
    frame.fill(0)
    assert.deepStrictEqual(back, { values: new Float64Array([1, 2]) })
  })

  it('pins the bytes of a WAL ingest payload (the encoding is on disk: options are append-only)', () => {
    const batch: ColumnBatch = {
      rowCount: 2,
      columns: [
        { kind: 'timestamp', values: new Float64Array([1, 2]) },
        { kind: 'symbol', ids: new Int32Array([0, -1]), dict: ['a'] },
        { kind: 'i64', values: new BigInt64Array([3n, -4n]), nulls: new Uint8Array([0, 1]) },
      ],
    }
    const hex = Buffer.from(codec.encode({ rowCount: batch.rowCount, columns: batch.columns })).toString('hex')
    assert.equal(hex, PINNED_PAYLOAD_HEX)
    assert.deepStrictEqual(codec.decode(Buffer.from(PINNED_PAYLOAD_HEX, 'hex')), batch)
  })
})

// msgpackr maps (no records) with typed arrays as ext type 0x74; produced once by FrameCodec and checked by hand.
const PINNED_PAYLOAD_HEX =
  'de0002a8726f77436f756e7402a7636f6c756d6e7393de0002a46b696e64a974696d657374616d70a676616c756573c71174' +
  '08000000000000f03f0000000000000040de0003a46b696e64a673796d626f6ca3696473c709740500000000ffffffffa464' +
  '69637491a161de0003a46b696e64a3693634a676616c756573c71174090300000000000000fcffffffffffffffa56e756c6c73c70374010001'
