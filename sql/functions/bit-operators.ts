// sql/functions/bit-operators: the integer bitwise operators of PostgreSQL 15's int.c and int8.c — & | # over two
// operands of one integer type, prefix ~, and << >> by an int4 count — and the prefix operators that are functions
// under another name (@ is abs, |/ is sqrt, ||/ is cbrt) and ^@ (starts_with), taken from the functions themselves so
// each has one implementation. Shifts behave as PostgreSQL's C does on x86-64: the count is taken modulo the operand's
// width (32 for int2 and int4, which C promotes to int, 64 for int8), as JavaScript's own shifts do for 32 bits.
import type { PgTypeName } from '../bind/types.js'
import { fn as op } from './arg-values.js'
import type { ScalarFunction } from './function-def.js'
import { toBigInt, toNumber } from './math-operators.js'

/** int2 results: C computes in int and stores the low 16 bits. */
const toInt2 = (value: number): number => (value << 16) >> 16

function smallIntOperators(type: 'int2' | 'int4'): ScalarFunction[] {
  const fit = type === 'int2' ? toInt2 : (value: number): number => value | 0
  const n = (value: unknown): number => toNumber(value as number)
  return [
    op('&', [type, type], type, ([a, b]) => fit(n(a) & n(b))),
    op('|', [type, type], type, ([a, b]) => fit(n(a) | n(b))),
    op('#', [type, type], type, ([a, b]) => fit(n(a) ^ n(b))),
    op('~', [type], type, ([a]) => fit(~n(a))),
    op('<<', [type, 'int4'], type, ([a, b]) => fit(n(a) << n(b))),
    op('>>', [type, 'int4'], type, ([a, b]) => fit(n(a) >> n(b))),
  ]
}

function bigIntOperators(): ScalarFunction[] {
  const b64 = (value: bigint): bigint => BigInt.asIntN(64, value)
  const count = (value: unknown): bigint => BigInt(toNumber(value as number) & 63)
  return [
    op('&', ['int8', 'int8'], 'int8', ([a, b]) => toBigInt(a ?? null) & toBigInt(b ?? null)),
    op('|', ['int8', 'int8'], 'int8', ([a, b]) => toBigInt(a ?? null) | toBigInt(b ?? null)),
    op('#', ['int8', 'int8'], 'int8', ([a, b]) => toBigInt(a ?? null) ^ toBigInt(b ?? null)),
    op('~', ['int8'], 'int8', ([a]) => ~toBigInt(a ?? null)),
    op('<<', ['int8', 'int4'], 'int8', ([a, b]) => b64(toBigInt(a ?? null) << count(b))),
    op('>>', ['int8', 'int4'], 'int8', ([a, b]) => toBigInt(a ?? null) >> count(b)),
  ]
}

export const BIT_OPERATORS: ReadonlyArray<ScalarFunction> = [...smallIntOperators('int2'), ...smallIntOperators('int4'), ...bigIntOperators()]

/** PostgreSQL's operators that are a function by another name: the function's overloads, renamed. */
const OPERATOR_ALIASES: ReadonlyArray<readonly [operator: string, fn: string, args: ReadonlyArray<ReadonlyArray<PgTypeName>>]> = [
  ['@', 'abs', [['int2'], ['int4'], ['int8'], ['float4'], ['float8'], ['numeric']]],
  ['|/', 'sqrt', [['float8']]],
  ['||/', 'cbrt', [['float8']]],
  ['^@', 'starts_with', [['text', 'text']]],
]

/** The aliases of OPERATOR_ALIASES over `functions` (the registry's scalar functions). */
export function operatorAliases(functions: ReadonlyArray<ScalarFunction>): ScalarFunction[] {
  return OPERATOR_ALIASES.flatMap(([operator, name, overloads]) => overloads.map((args) => {
    const found = functions.find((f) => f.name === name && f.args.length === args.length && f.args.every((t, i) => t === args[i]))
    if (found === undefined) throw new Error(`operator ${operator} names a missing overload ${name}(${args.join(', ')})`)
    return { ...found, name: operator }
  }))
}
