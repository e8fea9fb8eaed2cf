// sql/functions/aggregate-float-state: PostgreSQL's float8_accum/float8_combine state (N, Sx, Sxx) with the
// Youngs-Cramer update, shared by avg(float) and the float variance family so their digits match PostgreSQL's.
import { numericValueOutOfRange } from '../../src/common/errors.js'

export interface FloatState { n: number; sx: number; sxx: number }

export function newFloatState(): FloatState {
  return { n: 0, sx: 0, sxx: 0 }
}

/** C's isinf(): NaN is not infinite. */
export function isInf(x: number): boolean {
  return x === Infinity || x === -Infinity
}

function overflow(): Error {
  return numericValueOutOfRange('value out of range: overflow')
}

/** float8_accum. */
export function floatAccumulate(s: FloatState, value: number): FloatState {
  const previousN = s.n
  const previousSx = s.sx
  s.n += 1
  s.sx += value
  if (previousN > 0) {
    const tmp = value * s.n - s.sx
    s.sxx += (tmp * tmp) / (s.n * previousN)
    if (isInf(s.sx) || isInf(s.sxx)) {
      // An infinity from finite inputs is an overflow; an infinite input makes the variance NaN.
      if (!isInf(previousSx) && !isInf(value)) throw overflow()
      s.sxx = NaN
    }
  } else if (Number.isNaN(value) || isInf(value)) {
    // A lone Inf/NaN must not report variance zero.
    s.sxx = NaN
  }
  return s
}

/** float8_combine: the parallel merge of two (N, Sx, Sxx). */
export function floatCombine(a: FloatState, b: FloatState): FloatState {
  if (a.n === 0) return b
  if (b.n === 0) return a
  const n = a.n + b.n
  const sx = a.sx + b.sx
  if (isInf(sx) && !isInf(a.sx) && !isInf(b.sx)) throw overflow()
  const tmp = a.sx / a.n - b.sx / b.n
  const sxx = a.sxx + b.sxx + (a.n * b.n * tmp * tmp) / n
  if (isInf(sxx) && !isInf(a.sxx) && !isInf(b.sxx)) throw overflow()
  return { n, sx, sxx }
}
