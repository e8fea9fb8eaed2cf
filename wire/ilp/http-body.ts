// wire/ilp/http-body: reads an HTTP write body, inflating gzip with zlib and bounding both the bytes received and
// the bytes inflated. The caller parses the chunks (inline, or in the parse pool when large) and quotes lines of them.
// A plain body of known length is copied as it arrives into one buffer from the listener's BodyBuffers (the caller
// gives it back once answered), instead of being kept as chunks and concatenated.
import type { IncomingMessage } from 'node:http'
import { createGunzip, type Gunzip } from 'node:zlib'
import { assert } from '../../src/common/assert.js'
import { ILP_HTTP_QUOTED_LINE_CHARS_MAX } from '../../src/common/limits.js'
import type { IngestBufferPool } from './ingest-buffers.js'

/**
 * The listener's reusable body buffers in two sizes (ingest buffer pools of ILP_HTTP_POOLED_BODY_BYTES and
 * ILP_HTTP_COALESCE_BYTES_MAX): a body takes the smallest that holds it, so bulk loaders' bodies of a few MiB (TSBS's
 * 5,000 lines: ~1.8 MiB) cycle as small ones do instead of taking a fresh buffer each, whose external memory drove the
 * event loop's mark-compacts (issue 10); a body larger than both gets a buffer of its own, dropped when given back.
 */
export class BodyBuffers {
  constructor(private readonly small: IngestBufferPool, private readonly large: IngestBufferPool) {
    assert(small.bufferBytes < large.bufferBytes, 'the large body buffers are the larger')
  }

  take(bytes: number): Buffer {
    return bytes > this.small.bufferBytes && bytes <= this.large.bufferBytes ? this.large.take(bytes) : this.small.take(bytes)
  }

  /** Takes back a buffer from take() (any view of it; after a transfer, the view that came back). */
  give(view: Uint8Array): void {
    // Only the pool of the buffer's size sees it: a pool frees (detaches) a buffer not of its size that it is given
    // (an oversized one), so offering it to both would free a large buffer the large pool then keeps, detached.
    if (view.buffer.byteLength === this.large.bufferBytes) this.large.give(view)
    else this.small.give(view)
  }
}

export type BodyOutcome =
  /** `pooled`: the one chunk is a buffer taken from the pool passed to readBody, to be given back. */
  | { readonly kind: 'BodyRead'; readonly chunks: ReadonlyArray<Buffer>; readonly bytes: number; readonly pooled: boolean }
  | { readonly kind: 'BodyTooLarge' }
  | { readonly kind: 'BodyBadGzip'; readonly detail: string }
  | { readonly kind: 'BodyAborted' }

/**
 * Reads the (inflated) body; `isGzip` when Content-Encoding is gzip (the caller refused other encodings). With
 * `buffers` and a declared length (at most bytesMax), a plain body goes straight into one pooled buffer.
 */
export function readBody(request: IncomingMessage, isGzip: boolean, bytesMax: number, buffers?: BodyBuffers): Promise<BodyOutcome> {
  // A request that waited for the listener's budget may have lost its client meanwhile: no event would come any more.
  if (request.destroyed) return Promise.resolve({ kind: 'BodyAborted' })
  const declared = Number(request.headers['content-length'] ?? -1)
  if (buffers !== undefined && !isGzip && Number.isInteger(declared) && declared > 0 && declared <= bytesMax) {
    return readBodyInto(request, buffers.take(declared), buffers)
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let received = 0
    let inflated = 0
    let isSettled = false
    const settle = (outcome: BodyOutcome): void => {
      if (isSettled) return
      isSettled = true
      if (outcome.kind !== 'BodyRead') {
        gunzip?.destroy()
        request.unpipe()
        request.resume() // drain and discard the rest, so the response can still be written
      }
      resolve(outcome)
    }
    const take = (chunk: Buffer): void => {
      if (isSettled) return
      inflated += chunk.length
      if (inflated > bytesMax) return settle({ kind: 'BodyTooLarge' })
      chunks.push(chunk)
    }
    const gunzip: Gunzip | null = isGzip ? createGunzip() : null
    request.on('data', (chunk: Buffer) => {
      received += chunk.length
      if (received > bytesMax) settle({ kind: 'BodyTooLarge' })
    })
    request.on('aborted', () => settle({ kind: 'BodyAborted' }))
    request.on('error', () => settle({ kind: 'BodyAborted' }))
    if (gunzip === null) {
      request.on('data', take)
      request.on('end', () => settle({ kind: 'BodyRead', chunks, bytes: inflated, pooled: false }))
      return
    }
    gunzip.on('data', take)
    gunzip.on('end', () => settle({ kind: 'BodyRead', chunks, bytes: inflated, pooled: false }))
    gunzip.on('error', (error) => settle({ kind: 'BodyBadGzip', detail: error.message }))
    request.pipe(gunzip)
  })
}

/** A plain body of `target.length` declared bytes (Node's HTTP parser delivers no more than declared), copied in. */
function readBodyInto(request: IncomingMessage, target: Buffer, buffers: BodyBuffers): Promise<BodyOutcome> {
  return new Promise((resolve) => {
    let received = 0
    let isSettled = false
    const fail = (): void => {
      if (isSettled) return
      isSettled = true
      buffers.give(target)
      request.resume()
      resolve({ kind: 'BodyAborted' })
    }
    request.on('data', (chunk: Buffer) => {
      if (isSettled) return
      received += chunk.copy(target, received)
    })
    request.on('end', () => {
      if (isSettled) return
      if (received !== target.length) return fail()
      isSettled = true
      resolve({ kind: 'BodyRead', chunks: [target], bytes: received, pooled: true })
    })
    request.on('aborted', fail)
    request.on('error', fail)
  })
}

/** The text of 1-based line `line` of the body (truncated), for an error message; '' when out of range. */
export function lineText(chunks: ReadonlyArray<Buffer>, line: number): string {
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  let start = 0
  for (let n = 1; n < line; n++) {
    const newline = body.indexOf(10, start)
    if (newline < 0) return ''
    start = newline + 1
  }
  let end = body.indexOf(10, start)
  if (end < 0) end = body.length
  if (end > start && body[end - 1] === 13) end--
  const text = body.toString('utf8', start, Math.min(end, start + ILP_HTTP_QUOTED_LINE_CHARS_MAX * 4))
  return text.length > ILP_HTTP_QUOTED_LINE_CHARS_MAX ? `${text.slice(0, ILP_HTTP_QUOTED_LINE_CHARS_MAX)}...` : text
}
