// sql/functions/arg-values: the small helpers every definition file uses — an immutable strict definition and the
// readers of argument values (which arrive already cast to the declared types).
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { ScalarFunction } from './function-def.js'

export type Evaluate = (args: ReadonlyArray<SqlValue>) => SqlValue

/** A STRICT, IMMUTABLE function or operator. */
export function fn(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: Evaluate): ScalarFunction {
  return { name, args, result, strict: true, volatility: 'immutable', evaluate }
}
export function str(value: SqlValue | undefined): string {
  return typeof value === 'string' ? value : String(value)
}
export function int(value: SqlValue | undefined): number {
  return typeof value === 'number' ? value : Number(value)
}
/** Code points: PostgreSQL counts and indexes characters, not UTF-16 units. */
export function chars(text: string): string[] {
  return Array.from(text)
}
