// sql/functions/aggregate-stats: variance/stddev and the float8 regression aggregates. Float inputs use PostgreSQL's
// Youngs-Cramer states (float8_accum, float8_regr_accum) so results match to the last digit; integer and numeric
// inputs compute exactly in BigInt and finish as numeric_stddev_internal does (N·ΣX² − (ΣX)² over N·(N−1)
// or N², divided at select_div_scale's scale, then sqrt_var at that same scale).
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { AggregateFunction } from './function-def.js'
import { numericValueOutOfRange } from '../../src/common/errors.js'
import { divideDecimal, formatDecimal, rescale, selectDivScale, sqrtDecimal } from './aggregate-decimal.js'
import { floatAccumulate, floatCombine, isInf, newFloatState, type FloatState } from './aggregate-float-state.js'
import { erase, newNumericState, numericAccumulate, numericCombine, type NumericState } from './aggregate-sum-avg.js'

type VarianceKind = { readonly sample: boolean; readonly root: boolean }

const VARIANCE_NAMES: ReadonlyArray<readonly [string, VarianceKind]> = [
  ['stddev', { sample: true, root: true }], ['stddev_samp', { sample: true, root: true }],
  ['stddev_pop', { sample: false, root: true }], ['variance', { sample: true, root: false }],
  ['var_samp', { sample: true, root: false }], ['var_pop', { sample: false, root: false }],
]

function floatVariance(name: string, type: 'float4' | 'float8', kind: VarianceKind): AggregateFunction {
  return erase<FloatState>({
    name, args: [type], result: 'float8', skipsNulls: true,
    create: newFloatState,
    step: (s, [v]) => floatAccumulate(s, v as number),
    combine: floatCombine,
    finish: (s) => {
      if (s.n === 0 || (kind.sample && s.n <= 1)) return null
      const variance = s.sxx / (kind.sample ? s.n - 1 : s.n)
      return kind.root ? Math.sqrt(variance) : variance
    },
  })
}

/** NumericState plus ΣX² at twice the sum's scale (X·X keeps 2·dscale digits in do_numeric_accum). */
interface NumericSquaresState extends NumericState { sumSq: bigint }

function squaresStep(s: NumericSquaresState, v: SqlValue): NumericSquaresState {
  const oldScale = s.scale
  const d = numericAccumulate(s, v)
  if (s.scale !== oldScale) s.sumSq = rescale(s.sumSq, 2 * oldScale, 2 * s.scale)
  if (d !== null && d.kind === 'finite') s.sumSq += rescale(d.value * d.value, 2 * d.scale, 2 * s.scale)
  return s
}

function squaresCombine(a: NumericSquaresState, b: NumericSquaresState): NumericSquaresState {
  const merged = numericCombine(a, b)
  const sumSq = rescale(a.sumSq, 2 * a.scale, 2 * merged.scale) + rescale(b.sumSq, 2 * b.scale, 2 * merged.scale)
  return { ...merged, sumSq }
}

function numericVarianceFinish(s: NumericSquaresState, kind: VarianceKind): SqlValue {
  const total = s.n + s.nan + s.pinf + s.ninf
  if (total === 0 || (kind.sample && total <= 1)) return null
  if (s.nan + s.pinf + s.ninf > 0) return 'NaN'
  const n = BigInt(s.n)
  const numerator = n * s.sumSq - s.sum * s.sum
  // Watch out for a non-positive numerator (only exact zero here, but PostgreSQL prints it as plain '0').
  if (numerator <= 0n) return '0'
  const denominator = kind.sample ? n * (n - 1n) : n * n
  const scale = 2 * s.scale
  const variance = divideDecimal(numerator, scale, denominator, 0)
  if (!kind.root || variance.kind !== 'finite') return formatDecimal(variance)
  const resultScale = selectDivScale(numerator, scale, denominator, 0)
  return formatDecimal(sqrtDecimal(variance.value, variance.scale, resultScale))
}

function numericVariance(name: string, type: PgTypeName, kind: VarianceKind): AggregateFunction {
  return erase<NumericSquaresState>({
    name, args: [type], result: 'numeric', skipsNulls: true,
    create: () => ({ ...newNumericState(), sumSq: 0n }),
    step: (s, [v]) => squaresStep(s, v ?? null),
    combine: squaresCombine,
    finish: (s) => numericVarianceFinish(s, kind),
  })
}

/** float8_regr_accum's state; X is the second argument of every regr_*(Y, X). */
interface RegrState { n: number; sx: number; sxx: number; sy: number; syy: number; sxy: number }

function regrStep(s: RegrState, y: number, x: number): RegrState {
  const previousN = s.n
  const previousSx = s.sx
  const previousSy = s.sy
  s.n += 1
  s.sx += x
  s.sy += y
  if (previousN > 0) {
    const tmpX = x * s.n - s.sx
    const tmpY = y * s.n - s.sy
    const scale = 1 / (s.n * previousN)
    s.sxx += tmpX * tmpX * scale
    s.syy += tmpY * tmpY * scale
    s.sxy += tmpX * tmpY * scale
    if (isInf(s.sx) || isInf(s.sxx) || isInf(s.sy) || isInf(s.syy) || isInf(s.sxy)) {
      const xFinite = !isInf(previousSx) && !isInf(x)
      const yFinite = !isInf(previousSy) && !isInf(y)
      if (((isInf(s.sx) || isInf(s.sxx)) && xFinite) || ((isInf(s.sy) || isInf(s.syy)) && yFinite) ||
        (isInf(s.sxy) && xFinite && yFinite)) {
        throw numericValueOutOfRange('value out of range: overflow')
      }
      if (isInf(s.sxx)) s.sxx = NaN
      if (isInf(s.syy)) s.syy = NaN
      if (isInf(s.sxy)) s.sxy = NaN
    }
  } else {
    if (Number.isNaN(x) || isInf(x)) s.sxx = s.sxy = NaN
    if (Number.isNaN(y) || isInf(y)) s.syy = s.sxy = NaN
  }
  return s
}

function regrCombine(a: RegrState, b: RegrState): RegrState {
  if (a.n === 0) return b
  if (b.n === 0) return a
  const n = a.n + b.n
  const tmpX = a.sx / a.n - b.sx / b.n
  const tmpY = a.sy / a.n - b.sy / b.n
  const sx = a.sx + b.sx
  const sy = a.sy + b.sy
  if ((isInf(sx) && !isInf(a.sx) && !isInf(b.sx)) || (isInf(sy) && !isInf(a.sy) && !isInf(b.sy))) {
    throw numericValueOutOfRange('value out of range: overflow')
  }
  return {
    n, sx, sy,
    sxx: a.sxx + b.sxx + (a.n * b.n * tmpX * tmpX) / n,
    syy: a.syy + b.syy + (a.n * b.n * tmpY * tmpY) / n,
    sxy: a.sxy + b.sxy + (a.n * b.n * tmpX * tmpY) / n,
  }
}

type RegrFinish = (s: RegrState) => number | null

const REGR_FINALS: ReadonlyArray<readonly [string, RegrFinish]> = [
  ['covar_pop', (s) => (s.n < 1 ? null : s.sxy / s.n)],
  ['covar_samp', (s) => (s.n < 2 ? null : s.sxy / (s.n - 1))],
  ['corr', (s) => (s.n < 1 || s.sxx === 0 || s.syy === 0 ? null : s.sxy / Math.sqrt(s.sxx * s.syy))],
  ['regr_r2', (s) => (s.n < 1 || s.sxx === 0 ? null : s.syy === 0 ? 1 : (s.sxy * s.sxy) / (s.sxx * s.syy))],
  ['regr_slope', (s) => (s.n < 1 || s.sxx === 0 ? null : s.sxy / s.sxx)],
  ['regr_intercept', (s) => (s.n < 1 || s.sxx === 0 ? null : (s.sy - (s.sx * s.sxy) / s.sxx) / s.n)],
  ['regr_avgx', (s) => (s.n < 1 ? null : s.sx / s.n)],
  ['regr_avgy', (s) => (s.n < 1 ? null : s.sy / s.n)],
  ['regr_sxx', (s) => (s.n < 1 ? null : s.sxx)],
  ['regr_syy', (s) => (s.n < 1 ? null : s.syy)],
  ['regr_sxy', (s) => (s.n < 1 ? null : s.sxy)],
]

function regrAggregate(name: string, finish: RegrFinish): AggregateFunction {
  return erase<RegrState>({
    name, args: ['float8', 'float8'], result: 'float8', skipsNulls: true,
    create: () => ({ n: 0, sx: 0, sxx: 0, sy: 0, syy: 0, sxy: 0 }),
    step: (s, [y, x]) => regrStep(s, y as number, x as number),
    combine: regrCombine,
    finish,
  })
}

const regrCount = erase<{ n: number }>({
  name: 'regr_count', args: ['float8', 'float8'], result: 'int8', skipsNulls: true,
  create: () => ({ n: 0 }),
  step: (s) => {
    s.n++
    return s
  },
  combine: (a, b) => ({ n: a.n + b.n }),
  finish: (s) => BigInt(s.n),
})

function varianceOverloads(): AggregateFunction[] {
  const list: AggregateFunction[] = []
  for (const [name, kind] of VARIANCE_NAMES) {
    for (const type of ['int2', 'int4', 'int8', 'numeric'] as const) list.push(numericVariance(name, type, kind))
    list.push(floatVariance(name, 'float4', kind), floatVariance(name, 'float8', kind))
  }
  return list
}

export const STATS_FUNCTIONS: ReadonlyArray<AggregateFunction> = [
  ...varianceOverloads(),
  ...REGR_FINALS.map(([name, finish]) => regrAggregate(name, finish)),
  regrCount,
]
