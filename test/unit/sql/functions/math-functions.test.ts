// Goal: every arithmetic operator and math function overload gives PostgreSQL 15's text output, or its SQLSTATE,
// for ordinary values, boundaries (overflow, division by zero, NaN, infinities) and rounding ties. Method: each call
// runs on a throwaway PostgreSQL (NODEDB_ORACLE_PORT may name a running one) and on MATH_FUNCTIONS; texts compare.
import assert from 'node:assert/strict'
import type { PgTypeName } from '../../../../sql/bind/types.js'
import { MATH_FUNCTIONS } from '../../../../sql/functions/math-functions.js'
import { divergences, type Call, useOracle } from './oracle.js'

const INT_VALUES: Readonly<Record<'int2' | 'int4' | 'int8', ReadonlyArray<string>>> = {
  int2: ['0', '7', '-7', '32767', '-32768', '-1', '2'],
  int4: ['0', '7', '-3', '2147483647', '-2147483648', '-1', '65536'],
  int8: ['0', '7', '-3', '9223372036854775807', '-9223372036854775808', '-1', '4294967296'],
}
const FLOAT_VALUES = ['0', '-0', '1.5', '-2.25', '1e308', '-1e308', '1e-308', '3e38', '1e-45', 'NaN', 'Infinity', '-Infinity', '0.1']
const FLOAT4_VALUES = ['0', '-0', '1.5', '-2.25', '3e38', '-3e38', '1e-38', '1e-45', 'NaN', 'Infinity', '-Infinity', '0.1']
const NUMERIC_VALUES = ['0', '1', '-1', '3', '7.50', '-0.001', '123456789.123456789', '1e-20', '0.3', 'NaN', 'Infinity', '-Infinity', '99999999999999999999']

function pairs(values: ReadonlyArray<string>): Array<[string, string]> {
  return values.flatMap((a) => values.map((b): [string, string] => [a, b]))
}

function integerOperatorCalls(): Call[] {
  const calls: Call[] = []
  const types = ['int2', 'int4', 'int8'] as const
  for (const left of types) {
    for (const right of types) {
      for (const op of ['+', '-', '*', '/']) {
        for (const a of INT_VALUES[left]) for (const b of INT_VALUES[right]) calls.push([op, [left, right], [a, b]])
      }
    }
    for (const [a, b] of pairs(INT_VALUES[left])) calls.push(['%', [left, left], [a, b]], ['mod', [left, left], [a, b]])
    for (const a of INT_VALUES[left]) calls.push(['-', [left], [a]], ['+', [left], [a]], ['abs', [left], [a]])
  }
  return calls
}

function floatOperatorCalls(): Call[] {
  const calls: Call[] = []
  const types = ['float4', 'float8'] as const
  for (const left of types) {
    for (const right of types) {
      const lefts = left === 'float4' ? FLOAT4_VALUES : FLOAT_VALUES
      const rights = right === 'float4' ? FLOAT4_VALUES : FLOAT_VALUES
      for (const op of ['+', '-', '*', '/']) for (const a of lefts) for (const b of rights) calls.push([op, [left, right], [a, b]])
    }
    for (const a of left === 'float4' ? FLOAT4_VALUES : FLOAT_VALUES) calls.push(['-', [left], [a]], ['abs', [left], [a]])
  }
  const powers = ['0', '-0', '1', '-1', '2', '-2', '0.5', '-0.5', '3', '1e10', '-1e10', 'NaN', 'Infinity', '-Infinity', '1024', '-1075']
  for (const [a, b] of pairs(powers)) calls.push(['^', ['float8', 'float8'], [a, b]], ['power', ['float8', 'float8'], [a, b]])
  return calls
}

function numericCalls(): Call[] {
  const calls: Call[] = []
  for (const op of ['+', '-', '*', '/', '%']) for (const [a, b] of pairs(NUMERIC_VALUES)) calls.push([op, ['numeric', 'numeric'], [a, b]])
  for (const [a, b] of pairs(NUMERIC_VALUES)) calls.push(['mod', ['numeric', 'numeric'], [a, b]], ['div', ['numeric', 'numeric'], [a, b]])
  const unary = [...NUMERIC_VALUES, '2.5', '-2.5', '0.5', '-0.5', '1.4999', '-7.50', '100', '2', '0.0001', '12345.678']
  for (const fn of ['-', 'abs', 'sign', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sqrt']) {
    for (const a of unary) calls.push([fn, ['numeric'], [a]])
  }
  for (const a of unary) {
    for (const places of ['0', '1', '2', '-1', '-2', '5']) calls.push(['round', ['numeric', 'int4'], [a, places]], ['trunc', ['numeric', 'int4'], [a, places]])
  }
  const divisions: Array<[string, string]> = [['1', '3'], ['2', '3'], ['10', '4'], ['1', '7000'], ['12345.6789', '0.007'], ['-1', '3'], ['100000', '3'], ['0.00001', '3'], ['1.000', '8']]
  for (const [a, b] of divisions) calls.push(['/', ['numeric', 'numeric'], [a, b]], ['/', ['numeric', 'numeric'], [b, a]])
  return calls
}

function numericTranscendentalCalls(): Call[] {
  const calls: Call[] = []
  const values = ['0', '1', '2', '10', '0.5', '1.05', '0.99', '100.000', '1e-10', '12345678901234567890', '2.718281828459045', '-1', 'NaN', 'Infinity', '-Infinity', '1e-200', '0.0000001']
  for (const name of ['exp', 'ln', 'log', 'log10']) for (const a of values) calls.push([name, ['numeric'], [a]])
  for (const a of ['-10', '-300.5', '230', '0.001', '-0.001']) calls.push(['exp', ['numeric'], [a]])
  const bases = ['0', '1', '2', '-2', '10', '0.5', '1.5', '-1', '100', 'NaN', 'Infinity', '-Infinity', '1.000001']
  const exponents = ['0', '1', '2', '3', '-1', '-2', '0.5', '-0.5', '10', '2.5', '100', 'NaN', 'Infinity', '-Infinity', '1.0', '3.00']
  for (const b of bases) for (const e of exponents) calls.push(['^', ['numeric', 'numeric'], [b, e]])
  for (const [b, x] of pairs(['2', '10', '0.5', '1', '100', '1.0001'])) calls.push(['log', ['numeric', 'numeric'], [b, x]])
  for (const [a, b] of pairs(['0', '12', '-18.00', '1.5', '0.9', 'NaN', 'Infinity'])) calls.push(['gcd', ['numeric', 'numeric'], [a, b]], ['lcm', ['numeric', 'numeric'], [a, b]])
  calls.push(['power', ['numeric', 'numeric'], ['2', '1000']], ['power', ['numeric', 'numeric'], ['0.9', '-500']], ['pow', ['numeric', 'numeric'], ['7', '0.3333']])
  return calls
}

function float8FunctionCalls(): Call[] {
  const calls: Call[] = []
  const values = ['0', '-0', '1', '-1', '0.5', '-0.5', '2.5', '-2.5', '3.5', '100', '1e-300', '1e300', '710', '-750', 'NaN', 'Infinity', '-Infinity', '2']
  const names = ['abs', 'sign', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log10', 'degrees', 'radians', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan']
  for (const name of names) for (const a of values) calls.push([name, ['float8'], [a]])
  for (const [a, b] of pairs(['0', '1', '-1', 'Infinity', 'NaN'])) calls.push(['atan2', ['float8', 'float8'], [a, b]])
  calls.push(['pi', [], []])
  const buckets: Array<[string, string, string, string]> = [
    ['5.35', '0.024', '10.06', '5'], ['-1', '0', '10', '5'], ['10', '0', '10', '5'], ['0', '0', '10', '5'], ['9.999999', '0', '10', '3'],
    ['5', '10', '0', '5'], ['10', '10', '0', '5'], ['0', '10', '0', '5'], ['11', '10', '0', '5'], ['1', '-1e308', '1e308', '10'],
    ['1', '1', '1', '5'], ['1', '0', '10', '0'], ['NaN', '0', '10', '5'], ['1', '0', 'Infinity', '5'], ['Infinity', '0', '10', '5'],
    ['10', '0', '10', '2147483647'],
  ]
  for (const args of buckets) {
    calls.push(['width_bucket', ['float8', 'float8', 'float8', 'int4'], args])
    if (!args.slice(0, 3).includes('1e308') && !args.slice(0, 3).includes('-1e308')) calls.push(['width_bucket', ['numeric', 'numeric', 'numeric', 'int4'], args])
  }
  calls.push(['width_bucket', ['numeric', 'numeric', 'numeric', 'int4'], ['0.3', '0', '0.9', '3']], ['width_bucket', ['float8', 'float8', 'float8', 'int4'], ['0.3', '0', '0.9', '3']])
  for (const type of ['int4', 'int8'] as const) {
    const min = type === 'int4' ? '-2147483648' : '-9223372036854775808'
    for (const [a, b] of pairs(['0', '12', '-18', '7', min, '1'])) calls.push(['gcd', [type, type], [a, b]], ['lcm', [type, type], [a, b]])
  }
  calls.push(['lcm', ['int4', 'int4'], ['65536', '65537']], ['lcm', ['int8', 'int8'], ['4294967296', '4294967297']])
  return calls
}

const TYPES_USED: ReadonlyArray<PgTypeName> = ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']

describe('sql/functions/math-functions against PostgreSQL', function () {
  this.timeout(120_000)
  const oracle = useOracle()

  const groups: Array<[string, () => Call[]]> = [
    ['integer operators, overflow and division by zero', integerOperatorCalls],
    ['float4/float8 operators, overflow, underflow and power', floatOperatorCalls],
    ['numeric operators, scales, rounding, sqrt', numericCalls],
    ['float8 functions, width_bucket, gcd/lcm', float8FunctionCalls],
    ['numeric exp, ln, log, power', numericTranscendentalCalls],
  ]
  for (const [title, build] of groups) {
    it(title, async function () {
      const failures = await divergences(oracle.client, MATH_FUNCTIONS, build())
      assert.deepEqual(failures.slice(0, 40), [])
    })
  }

  it('registers every arithmetic operator for each numeric type', function () {
    for (const type of TYPES_USED) {
      for (const op of ['+', '-', '*', '/']) assert.ok(MATH_FUNCTIONS.some((f) => f.name === op && f.args[0] === type && f.args[1] === type))
    }
  })
})
