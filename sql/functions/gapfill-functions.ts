// sql/functions/gapfill-functions: TimescaleDB's gap filling — time_bucket_gapfill(width, time [, start, finish])
// buckets like time_bucket; locf() and interpolate() only mark what the planner's GapFillNode fills. Used anywhere
// else they are refused, as TimescaleDB refuses them, so no query silently returns unfilled values.
import { featureNotSupported } from '../../src/common/errors.js'
import type { IntervalValue, SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { ScalarFunction } from './function-def.js'
import { timeBucketLocal, timeBucketTz } from './time-bucket.js'

const iv = (v: SqlValue): IntervalValue => v as IntervalValue

function bucket(name: 'timestamptz' | 'timestamp', extra: ReadonlyArray<PgTypeName>): ScalarFunction {
  return {
    name: 'time_bucket_gapfill', args: ['interval', name, ...extra], result: name, strict: true, volatility: 'immutable',
    evaluate: ([w, t]) => (name === 'timestamptz' ? timeBucketTz(iv(w), Number(t), {}) : timeBucketLocal(iv(w), Number(t), null)),
  }
}

function marker(name: 'locf' | 'interpolate', type: PgTypeName): ScalarFunction {
  return {
    name, args: [type], result: type, strict: false, volatility: 'immutable',
    evaluate: () => { throw featureNotSupported(`${name}() outside an aggregate query grouped by time_bucket_gapfill()`) },
  }
}

export const GAPFILL_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  bucket('timestamptz', []), bucket('timestamptz', ['timestamptz', 'timestamptz']),
  bucket('timestamp', []), bucket('timestamp', ['timestamp', 'timestamp']),
  ...(['float8', 'float4', 'int2', 'int4', 'int8', 'numeric', 'text', 'bool', 'timestamptz', 'timestamp', 'interval'] as const).map((t) => marker('locf', t)),
  ...(['float8', 'float4', 'int2', 'int4', 'int8', 'numeric'] as const).map((t) => marker('interpolate', t)),
]

/** The functions the GapFillNode replaces. */
export const GAPFILL_MARKERS: ReadonlySet<string> = new Set(['locf', 'interpolate'])
