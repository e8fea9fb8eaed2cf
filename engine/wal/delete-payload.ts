// engine/wal/delete-payload: the payload of a DeleteRecord — a DELETE's time range and filters, msgpackr-encoded —
// and its shape check when read back from disk. Knows nothing of cores or SQL.
import type { FrameCodec } from '../bridge/frame-codec.js'
import type { ColumnFilter, TimeRange } from '../ops.js'

/** What a DeleteRecord says: the rows of its table in `timeRange` passing every filter are gone. */
export interface DeletePredicate {
  readonly timeRange: TimeRange
  readonly filters: ReadonlyArray<ColumnFilter>
}

const FILTER_OPS: ReadonlySet<string> = new Set(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'isNull', 'isNotNull'])

export function encodeDeletePayload(codec: FrameCodec, predicate: DeletePredicate): Uint8Array {
  return codec.encode({ timeRange: predicate.timeRange, filters: predicate.filters })
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
  return { timeRange: { fromUs, toUs }, filters }
}
