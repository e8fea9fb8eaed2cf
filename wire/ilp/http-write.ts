// wire/ilp/http-write: the InfluxDB write endpoints over HTTP — v1 `POST /write` (db, rp, precision; also QuestDB's
// HTTP sender, which posts `/write?precision=n`) and v2 `POST /api/v2/write` (org, bucket, precision). 204 once every
// row is durable; 400 with InfluxDB's `{"code":"invalid","message":...}` naming the first bad line, the valid lines
// being kept; 413 past the body limit; 507 while the disk is full (issue 12). Knows nothing of storage: rows go to sql.ingest.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isDbError } from '../../src/common/errors.js'
import { log } from '../../src/common/log.js'
import { ILP_HTTP_BODY_BYTES_MAX, ILP_PARSE_POOL_BYTES_MIN } from '../../src/common/limits.js'
import type { IngestOutcome, SqlFacade } from '../../sql/api.js'
import { authorize } from './http-auth.js'
import { lineText, readBody, type BodyBuffers } from './http-body.js'
import { ilpErrorMessage, type IlpError } from './ilp-error.js'
import { IlpParser, type IlpParseOptions, type IlpParseResult } from './ilp-parser.js'
import { IlpParsePoolError, type IlpParsePool } from './parse-pool.js'
import { isIlpPrecision, type IlpPrecision } from './ilp-precision.js'
import type { LineParsers } from './line-parser.js'
import type { IlpHttpBudget } from './http-budget.js'
import type { IngestCoalescer } from './http-coalescer.js'
import type { CoalescedParse, ParseCoalescer } from './http-parse-coalescer.js'
import { markStage } from './http-timeline.js'

export type WriteApi = 'v1' | 'v2'

export interface HttpWriteOptions {
  readonly sql: SqlFacade
  readonly bodyBytesMax?: number
  /** Required credentials (see http-auth.ts); null = none. */
  readonly token: string | null
  /** Parses bodies of ILP_PARSE_POOL_BYTES_MIN or more off the event loop; null = parse every body inline. */
  readonly parsePool?: IlpParsePool | null
  /** The listener's line parsers for bodies parsed inline (their caches stay warm across requests). */
  readonly lineParsers?: LineParsers
  /** The listener's reusable body buffers; absent = bodies are read as chunks. */
  readonly bodyBuffers?: BodyBuffers
  /** The listener's bound on bytes held by write requests; absent = unbounded (tests). */
  readonly budget?: IlpHttpBudget
  /** Joins concurrent requests' rows into fewer sql.ingest calls; absent = one call per request. */
  readonly coalescer?: IngestCoalescer
  /** Parses concurrent requests' bodies together, and writes those parsed in the pool (http-parse-coalescer.ts); absent = each alone. */
  readonly parseCoalescer?: ParseCoalescer
}

/** InfluxDB's error codes (kit/platform/errors), as its JSON error bodies spell them. */
type InfluxErrorCode = 'invalid' | 'request too large' | 'unsupported media type' | 'internal error' | 'unavailable'
  | 'not found' | 'method not allowed' | 'unauthorized' | 'insufficient storage'

const STATUS_OF: Readonly<Record<InfluxErrorCode, number>> = {
  'invalid': 400, 'request too large': 413, 'unsupported media type': 415, 'internal error': 500, 'unavailable': 503,
  'not found': 404, 'method not allowed': 405, 'unauthorized': 401, 'insufficient storage': 507,
}

/** Seconds a client is told to wait before retrying a write refused for want of disk space (the probe's pace). */
const DISK_FULL_RETRY_AFTER_S = 1

/**
 * Sends InfluxDB 2's error body `{"code":…,"message":…}`. `line` (QuestDB's field) names the first failing line;
 * on v1 `/write` the message is repeated as `error`, the field InfluxDB 1.x clients read.
 */
export function sendError(response: ServerResponse, code: InfluxErrorCode, message: string,
  extra: { line?: number; api?: WriteApi; headers?: Record<string, string> } = {}): void {
  const body: Record<string, string | number> = { code, message }
  if (extra.line !== undefined) body['line'] = extra.line
  if (extra.api === 'v1') body['error'] = message
  const text = JSON.stringify(body)
  response.writeHead(STATUS_OF[code], {
    'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra.headers,
  })
  response.end(text)
}

function precisionOf(url: URL): IlpPrecision | string {
  const precision = url.searchParams.get('precision')
  return precision === null || precision === '' ? 'ns' : precision
}

/** The first failing line of the request: parse errors and sql's refusals merged, by line number. */
function firstFailure(parsed: IlpParseResult, outcome: IngestOutcome | null, chunks: ReadonlyArray<Buffer>): { line: number; message: string } | null {
  const parseError: IlpError | undefined = parsed.errors[0]
  const ingestError = outcome?.errors[0]
  if (parseError !== undefined && (ingestError === undefined || parseError.line <= ingestError.line)) {
    const detail = ilpErrorMessage(parseError).replace(/^line \d+, column \d+: /, '')
    return {
      line: parseError.line,
      message: `unable to parse '${lineText(chunks, parseError.line)}' (line ${parseError.line}, column ${parseError.column}): ${detail}`,
    }
  }
  if (ingestError !== undefined) return { line: ingestError.line, message: `line ${ingestError.line}: ${ingestError.message}` }
  return null
}

function sendEngineFailure(response: ServerResponse, error: unknown, api: WriteApi): void {
  if (isDbError(error)) {
    if (error.code === '57P01') return sendError(response, 'unavailable', 'the server is shutting down', { api })
    if (error.code === '54000') return sendError(response, 'request too large', error.message, { api })
    // Issue 12: nothing of the refused table batch was written; writes resume by themselves once space is freed.
    if (error.code === '53100') {
      return sendError(response, 'insufficient storage', `${error.message}: ${error.detail ?? ''}`.replace(/: $/, ''),
        { api, headers: { 'Retry-After': String(DISK_FULL_RETRY_AFTER_S) } })
    }
    log.error({ err: error }, 'ilp http: write failed')
    return sendError(response, 'internal error', `unexpected error writing points to database: ${error.message}`, { api })
  }
  log.error({ err: error }, 'ilp http: write failed with an unexpected error')
  sendError(response, 'internal error', 'unexpected error writing points to database', { api })
}

/** A request's parse result and body bytes, and (written) its outcome when its rows are written with others'. */
interface ParsedBody {
  readonly parsed: IlpParseResult
  readonly chunks: ReadonlyArray<Buffer>
  readonly written?: CoalescedParse['written']
}

/**
 * Parses the body: inline when small (or without a pool), else in the parse pool, off the event loop. Either way
 * the result is parseLines'; `chunks` are the body's bytes (the pool hands the transferred buffer back); `writer` is its connection.
 */
async function parseBody(body: { chunks: ReadonlyArray<Buffer>; bytes: number; pooled: boolean }, parseOptions: IlpParseOptions,
  options: HttpWriteOptions, writer: object): Promise<ParsedBody | Error> {
  const { chunks, bytes } = body
  const pool = options.parsePool ?? null
  const lineParsers = options.lineParsers
  if (options.parseCoalescer !== undefined) {
    try {
      const coalesced = await options.parseCoalescer.parse(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes), parseOptions, body.pooled, writer)
      return { parsed: coalesced.parsed, chunks: [coalesced.body], written: coalesced.written }
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error))
    }
  }
  if (pool === null || bytes < ILP_PARSE_POOL_BYTES_MIN) {
    const parser = new IlpParser(parseOptions, lineParsers?.of(parseOptions.precision))
    for (const chunk of chunks) parser.feed(chunk)
    return { parsed: parser.end(), chunks }
  }
  try {
    const pooled = await pool.parse(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, bytes), parseOptions, { isBufferOwned: body.pooled })
    return { parsed: pooled.result, chunks: [pooled.input] }
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

/** The parse pool failed this body: 503 while shutting down, else 500 (a worker died; it is replaced). */
function sendParseFailure(response: ServerResponse, error: Error, api: WriteApi): void {
  if (error instanceof IlpParsePoolError && error.isClosed) return sendError(response, 'unavailable', 'the server is shutting down', { api })
  log.error({ err: error }, 'ilp http: parsing the body failed')
  sendError(response, 'internal error', `unable to parse points: ${error.message}`, { api })
}

function tooLargeMessage(bytesMax: number): string {
  return `unable to read data: points batch is too large (over ${bytesMax} bytes)`
}

/** Handles one POST to a write endpoint; resolves once the response is sent. */
export async function handleWrite(request: IncomingMessage, response: ServerResponse, url: URL, api: WriteApi,
  options: HttpWriteOptions): Promise<void> {
  const bytesMax = options.bodyBytesMax ?? ILP_HTTP_BODY_BYTES_MAX
  const auth = authorize(request, url, options.token)
  if (auth !== 'Authorized') {
    request.resume()
    // InfluxDB answers 401 "unauthorized access" for a missing and for a wrong token alike.
    return sendError(response, 'unauthorized', 'unauthorized access', { api, headers: { 'WWW-Authenticate': 'Token' } })
  }
  markStage(request.socket, 'read')
  const precision = precisionOf(url)
  if (!isIlpPrecision(precision)) {
    request.resume()
    return sendError(response, 'invalid', `invalid precision "${precision}": use ns, us, ms or s (v1 also n, u, m, h)`, { api })
  }
  const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase()
  if (encoding !== 'gzip' && encoding !== 'identity') {
    request.resume()
    return sendError(response, 'unsupported media type', `Content-Encoding ${encoding} is not supported: use gzip or identity`, { api })
  }
  const declared = Number(request.headers['content-length'] ?? 0)
  const tooLarge = tooLargeMessage(bytesMax)
  if (declared > bytesMax) return sendError(response, 'request too large', tooLarge, { api, headers: { Connection: 'close' } })
  const budget = options.budget
  const isKnownLength = Number.isInteger(declared) && declared > 0 && request.headers['content-length'] !== undefined
  let held = isKnownLength ? declared : 0
  await budget?.admit(held)
  try {
    await readParseAnswer(request, response, api, precision, encoding === 'gzip', options, (bytes) => {
      // A body of unknown length (or inflated past its declared length) is charged what it really holds.
      if (bytes > held) budget?.charge(bytes - held)
      held = Math.max(held, bytes)
    })
  } finally {
    budget?.release(held)
  }
}

/** Reads, parses and writes the body, then answers; `onBodyBytes` learns the body's size once read. */
async function readParseAnswer(request: IncomingMessage, response: ServerResponse, api: WriteApi, precision: IlpPrecision,
  isGzip: boolean, options: HttpWriteOptions, onBodyBytes: (bytes: number) => void): Promise<void> {
  const bytesMax = options.bodyBytesMax ?? ILP_HTTP_BODY_BYTES_MAX
  const tooLarge = tooLargeMessage(bytesMax)
  const nowUs = Date.now() * 1000
  const body = await readBody(request, isGzip, bytesMax, options.bodyBuffers)
  switch (body.kind) {
    case 'BodyTooLarge': return sendError(response, 'request too large', tooLarge, { api, headers: { Connection: 'close' } })
    case 'BodyBadGzip': return sendError(response, 'invalid', `unable to read data: gzip: ${body.detail}`, { api })
    case 'BodyAborted': response.destroy(); return
    case 'BodyRead': break
  }
  onBodyBytes(body.bytes)
  const parsedBody = await parseBody(body, { precision, nowUs }, options, request.socket)
  if (parsedBody instanceof Error) return sendParseFailure(response, parsedBody, api)
  const { chunks } = parsedBody
  try {
    await ingestAndAnswer(response, api, options, parsedBody, body.bytes)
    options.parseCoalescer?.answered(request.socket)
    markStage(request.socket, 'answered')
  } finally {
    if (body.pooled) options.bodyBuffers?.give(chunks[0]!) // answered: nothing reads the body any more
  }
}

/** Writes the parsed rows and answers: 204, or 400 naming the first failing line (quoted from `chunks`). */
async function ingestAndAnswer(response: ServerResponse, api: WriteApi, options: HttpWriteOptions, body: ParsedBody,
  bytes: number): Promise<void> {
  const { parsed, chunks, written } = body
  let outcome: IngestOutcome | null = null
  if (parsed.batches.length > 0 || written !== undefined) {
    try {
      const coalescer = options.coalescer
      outcome = written !== undefined ? await written()
        : coalescer === undefined ? await options.sql.ingest(parsed.batches)
          : await coalescer.ingest({ batches: parsed.batches, lineCount: parsed.lineCount, bytes })
      markStage(response.req.socket, 'written')
    } catch (error) {
      return sendEngineFailure(response, error, api)
    }
  }
  const failure = firstFailure(parsed, outcome, chunks)
  if (failure === null) {
    response.writeHead(204)
    response.end()
    return
  }
  // InfluxDB's PartialWriteError: "partial write: <reason> dropped=<n>"; the valid lines were written.
  const dropped = parsed.errorCount + (outcome?.errorCount ?? 0)
  sendError(response, 'invalid', `partial write: ${failure.message} dropped=${dropped}`, { line: failure.line, api })
}
