// engine/bridge/frame-codec: msgpackr encoding of ring messages and WAL payloads. Typed arrays (Float64Array,
// BigInt64Array, Int32Array, Uint8Array, Uint16Array) round-trip as typed arrays ('moreTypes'), bigints as bigints.
// The encoding is written to disk (WAL payloads): options here are append-only; pinned by frame-codec.test.ts.
import { Packr, Unpackr } from 'msgpackr'
import { assert } from '../../src/common/assert.js'
import { CORE_REQUEST_KINDS, CORE_RESPONSE_KINDS, type CoreRequest, type CoreResponse } from './messages.js'

// Records (structures) would make frames smaller but tie decoding to shared state; plain maps keep each frame
// self-describing, which the WAL needs. int64AsType 'bigint' keeps i64 filter values and vectors exact.
const OPTIONS = { useRecords: false, moreTypes: true, int64AsType: 'bigint' as const }

/** Per-thread instances: msgpackr keeps a scratch buffer in each, so none is shared across workers. */
export class FrameCodec {
  private readonly packr = new Packr(OPTIONS)
  private readonly unpackr = new Unpackr(OPTIONS)

  /** Encodes any plain value. The result is a fresh copy the caller owns. */
  encode(value: unknown): Uint8Array {
    const bytes = this.packr.pack(value)
    assert(bytes.length > 0, 'msgpack output is never empty')
    return bytes
  }

  /** Decodes bytes written by encode(); the result shares no memory with `bytes`. */
  decode(bytes: Uint8Array): unknown {
    return this.unpackr.unpack(bytes)
  }

  encodeRequest(request: CoreRequest): Uint8Array {
    return this.encode(request)
  }

  /** Frames come from our own encoder on the other end of the ring; a wrong kind is a bug, hence assert. */
  decodeRequest(bytes: Uint8Array): CoreRequest {
    const value = this.decode(bytes)
    assert(hasKind<CoreRequest>(value, CORE_REQUEST_KINDS), 'ring frame is not a CoreRequest')
    return value
  }

  encodeResponse(response: CoreResponse): Uint8Array {
    return this.encode(response)
  }

  decodeResponse(bytes: Uint8Array): CoreResponse {
    const value = this.decode(bytes)
    assert(hasKind<CoreResponse>(value, CORE_RESPONSE_KINDS), 'ring frame is not a CoreResponse')
    return value
  }
}

function hasKind<T>(value: unknown, kinds: ReadonlySet<string>): value is T {
  return typeof value === 'object' && value !== null && 'kind' in value && typeof value.kind === 'string' &&
    kinds.has(value.kind) && 'id' in value && typeof value.id === 'number'
}
