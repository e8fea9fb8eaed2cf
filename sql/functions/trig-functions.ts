// sql/functions/trig-functions: PostgreSQL 15's trigonometric functions over float8 — radians (sin … atan2, cot),
// degrees (sind … atan2d, cotd) and hyperbolic (sinh … atanh) — with float.c's range checks. The degree variants
// follow float.c step for step (range reduction to [0, 90], the stitched sine/cosine halves and the scaling
// constants), so that sind(30) is exactly 0.5 and tand(45) exactly 1, as PostgreSQL answers.
import { numericValueOutOfRange } from '../../src/common/errors.js'
import type { ScalarFunction } from './function-def.js'
import { fn } from './arg-values.js'
import { checkFloat, floatOverflow, toNumber } from './math-operators.js'

/** pi/180 as float.c's RADIANS_PER_DEGREE. */
const RADIANS_PER_DEGREE = 0.0174532925199432957692

export const isInfinite = (x: number): boolean => x === Infinity || x === -Infinity
const outOfRange = (): Error => numericValueOutOfRange('input is out of range')

/** sin/cos/tan reject infinite input with 22003, asin/acos anything outside [-1, 1]. */
function trig(compute: (x: number) => number, domain: 'finite' | 'unit' | 'any'): (x: number) => number {
  return (x) => {
    if (Number.isNaN(x)) return x
    if ((domain === 'finite' && isInfinite(x)) || (domain === 'unit' && (x < -1 || x > 1))) throw outOfRange()
    const result = compute(x)
    if (isInfinite(result)) throw floatOverflow()
    return result
  }
}

// float.c's init_degree_constants.
const SIN_30 = Math.sin(30 * RADIANS_PER_DEGREE)
const ONE_MINUS_COS_60 = 1 - Math.cos(60 * RADIANS_PER_DEGREE)
const ASIN_0_5 = Math.asin(0.5)
const ACOS_0_5 = Math.acos(0.5)
const ATAN_1_0 = Math.atan(1)
const sind0To30 = (x: number): number => Math.sin(x * RADIANS_PER_DEGREE) / SIN_30 / 2
const cosd0To60 = (x: number): number => 1 - (1 - Math.cos(x * RADIANS_PER_DEGREE)) / ONE_MINUS_COS_60 / 2
const sindQ1 = (x: number): number => (x <= 30 ? sind0To30(x) : cosd0To60(90 - x))
const cosdQ1 = (x: number): number => (x <= 60 ? cosd0To60(x) : sind0To30(90 - x))
const TAN_45 = sindQ1(45) / cosdQ1(45)
const COT_45 = cosdQ1(45) / sindQ1(45)
const asindQ1 = (x: number): number => (x <= 0.5 ? (Math.asin(x) / ASIN_0_5) * 30 : 90 - (Math.acos(x) / ACOS_0_5) * 60)
const acosdQ1 = (x: number): number => (x <= 0.5 ? 90 - (Math.asin(x) / ASIN_0_5) * 30 : (Math.acos(x) / ACOS_0_5) * 60)

/**
 * An angle in degrees reduced to [0, 90] with the sign the function takes on the way (float.c's dsind … dcotd):
 * `odd` functions change sign for -x, `flipAbove90` ones for 180 - x, and every one but cosine for 360 - x.
 */
function reduceDegrees(degrees: number, odd: boolean, flipAbove180: boolean, flipAbove90: boolean): [number, number] {
  if (isInfinite(degrees)) throw outOfRange()
  let x = degrees % 360
  let sign = 1
  if (x < 0) {
    x = -x
    if (odd) sign = -sign
  }
  if (x > 180) {
    x = 360 - x
    if (flipAbove180) sign = -sign
  }
  if (x > 90) {
    x = 180 - x
    if (flipAbove90) sign = -sign
  }
  return [x, sign]
}

function degreeFn(name: string, compute: (x: number) => number): ScalarFunction {
  return fn(name, ['float8'], 'float8', ([a]) => {
    const x = toNumber(a ?? null)
    return Number.isNaN(x) ? x : compute(x)
  })
}
const noOverflow = (result: number): number => {
  if (isInfinite(result)) throw floatOverflow()
  return result
}
const plainZero = (result: number): number => (result === 0 ? 0 : result)

function degreeFunctions(): ScalarFunction[] {
  return [
    degreeFn('sind', (d) => { const [x, sign] = reduceDegrees(d, true, true, false); return noOverflow(sign * sindQ1(x)) }),
    degreeFn('cosd', (d) => { const [x, sign] = reduceDegrees(d, false, false, true); return noOverflow(sign * cosdQ1(x)) }),
    degreeFn('tand', (d) => { const [x, sign] = reduceDegrees(d, true, true, true); return plainZero(sign * (sindQ1(x) / cosdQ1(x) / TAN_45)) }),
    degreeFn('cotd', (d) => { const [x, sign] = reduceDegrees(d, true, true, true); return plainZero(sign * (cosdQ1(x) / sindQ1(x) / COT_45)) }),
    degreeFn('asind', (x) => {
      if (x < -1 || x > 1) throw outOfRange()
      return noOverflow(x >= 0 ? asindQ1(x) : -asindQ1(-x))
    }),
    degreeFn('acosd', (x) => {
      if (x < -1 || x > 1) throw outOfRange()
      return noOverflow(x >= 0 ? acosdQ1(x) : 90 + asindQ1(-x))
    }),
    degreeFn('atand', (x) => noOverflow((Math.atan(x) / ATAN_1_0) * 45)),
    fn('atan2d', ['float8', 'float8'], 'float8', ([a, b]) => {
      const y = toNumber(a ?? null)
      const x = toNumber(b ?? null)
      return Number.isNaN(x) || Number.isNaN(y) ? NaN : noOverflow((Math.atan2(y, x) / ATAN_1_0) * 45)
    }),
  ]
}

/** A float8 → float8 function (math-functions.ts's too). */
export function float8Fn(name: string, compute: (x: number) => number): ScalarFunction {
  return fn(name, ['float8'], 'float8', ([a]) => compute(toNumber(a ?? null)))
}

function hyperbolicFunctions(): ScalarFunction[] {
  return [
    float8Fn('sinh', Math.sinh),
    float8Fn('cosh', Math.cosh),
    float8Fn('tanh', Math.tanh),
    float8Fn('asinh', Math.asinh),
    float8Fn('acosh', (x) => {
      if (x < 1) throw outOfRange()
      return Math.acosh(x)
    }),
    float8Fn('atanh', (x) => {
      if (x < -1 || x > 1) throw outOfRange()
      return Math.atanh(x)
    }),
  ]
}

export const TRIG_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  fn('pi', [], 'float8', () => Math.PI),
  float8Fn('degrees', (x) => checkFloat(x / RADIANS_PER_DEGREE, isInfinite(x), x === 0)),
  float8Fn('radians', (x) => checkFloat(x * RADIANS_PER_DEGREE, isInfinite(x), x === 0)),
  float8Fn('sin', trig(Math.sin, 'finite')),
  float8Fn('cos', trig(Math.cos, 'finite')),
  float8Fn('tan', trig(Math.tan, 'finite')),
  // dcot: 1 / tan(x), no overflow check (cot(0) is Infinity).
  float8Fn('cot', (x) => (Number.isNaN(x) ? x : 1 / trig(Math.tan, 'finite')(x))),
  float8Fn('asin', trig(Math.asin, 'unit')),
  float8Fn('acos', trig(Math.acos, 'unit')),
  float8Fn('atan', trig(Math.atan, 'any')),
  fn('atan2', ['float8', 'float8'], 'float8', ([a, b]) => Math.atan2(toNumber(a ?? null), toNumber(b ?? null))),
  ...degreeFunctions(),
  ...hyperbolicFunctions(),
]
