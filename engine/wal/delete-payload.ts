// engine/wal/delete-payload: the payload of a DeleteRecord — a DELETE's time range, filters and WHERE expression,
// msgpackr-encoded — and its shape check when read back from disk. Versioned: version 1 (no `v` key) is {timeRange,
// filters}; version 2 adds `where`, a ScanWhere. A DELETE without an expression is still written as version 1, and
// both versions are read. Knows nothing of cores or SQL.
import type { FrameCodec } from '../bridge/frame-codec.js'
import type { ScanWhere } from '../expr.js'
import type { ColumnFilter, TimeRange } from '../ops.js'
import { checkedWhere } from './expr-shape.js'

/**
 * What a DeleteRecord says: the rows of its table in `timeRange` passing every filter and for which `where` is true
 * (absent or null: no expression) are gone.
 */
export interface DeletePredicate {
  readonly timeRange: TimeRange
  readonly filters: ReadonlyArray<ColumnFilter>
  readonly where?: ScanWhere | null
}

/** The payload version that carries `where`. */
const PAYLOAD_V2 = 2

const FILTER_OPS: ReadonlySet<string> = new Set(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'isNull', 'isNotNull'])

export function encodeDeletePayload(codec: FrameCodec, predicate: DeletePredicate): Uint8Array {
  const { timeRange, filters, where } = predicate
  if (where === undefined || where === null) return codec.encode({ timeRange, filters })
  return codec.encode({ v: PAYLOAD_V2, timeRange, filters, where })
}

function isFilter(value: unknown): value is ColumnFilter {
  if (typeof value !== 'object' || value === null) return false
  const [column, op, values] = ['column', 'op', 'values'].map((key) => Reflect.get(value, key))
  if (typeof column !== 'number' || !Number.isSafeInteger(column) || column < 0) return false
  if (typeof op !== 'string' || !FILTER_OPS.has(op) || !Array.isArray(values)) return false
  return values.every((v: unknown) => ['string', 'number', 'bigint', 'boolean'].includes(typeof v))
}

/** The predicate of a record read from disk, or undefined when its shape is wrong (the caller reports corruption). */
export function decodeDeletePayload(codec: FrameCodec, bytes: Uint8Array): DeletePredicate | undefined {
  let value: unknown
  try {
    value = codec.decode(bytes)
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const range: unknown = Reflect.get(value, 'timeRange')
  const filters: unknown = Reflect.get(value, 'filters')
  if (typeof range !== 'object' || range === null || !Array.isArray(filters) || !filters.every(isFilter)) return undefined
  const fromUs: unknown = Reflect.get(range, 'fromUs')
  const toUs: unknown = Reflect.get(range, 'toUs')
  if (typeof fromUs !== 'number' || typeof toUs !== 'number' || Number.isNaN(fromUs) || Number.isNaN(toUs)) return undefined
  const version: unknown = Reflect.get(value, 'v')
  if (version === undefined) return { timeRange: { fromUs, toUs }, filters }
  const where = version === PAYLOAD_V2 ? checkedWhere(Reflect.get(value, 'where')) : undefined
  return where === undefined ? undefined : { timeRange: { fromUs, toUs }, filters, where }
}
