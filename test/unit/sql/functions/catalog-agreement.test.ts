// Goal: every function and operator the registries declare exists in PostgreSQL 15 with the same argument types,
// result type, strictness and volatility (pg_proc, pg_operator). Method: one catalog query per definition on a
// throwaway PostgreSQL (or NODEDB_ORACLE_PORT); a definition PostgreSQL lacks, or declares otherwise, is listed.
import assert from 'node:assert/strict'
import type pg from 'pg'
import { PG_TYPES, type PgTypeName } from '../../../../sql/bind/types.js'
import type { ScalarFunction } from '../../../../sql/functions/function-def.js'
import { MATH_FUNCTIONS } from '../../../../sql/functions/math-functions.js'
import { MISC_FUNCTIONS } from '../../../../sql/functions/misc-functions.js'
import { TEXT_FUNCTIONS } from '../../../../sql/functions/text-functions.js'
import { useOracle } from './oracle.js'

/** Functions PostgreSQL declares with a type nodedb lacks, mapped to the type nodedb uses instead. */
const KNOWN_RESULT_SUBSTITUTES: ReadonlyMap<string, string> = new Map([
  // `name` is not a nodedb type; these return text.
  ['current_database', 'name'], ['current_user', 'name'], ['session_user', 'name'], ['user', 'name'], ['current_schema', 'name'],
])
/** SQL-syntax functions with no pg_proc row of their own (the grammar maps them to another function). */
const GRAMMAR_ONLY = new Set(['current_timestamp', 'user'])

function regtype(type: PgTypeName): string {
  return PG_TYPES[type].formatName
}

async function checkFunction(client: pg.Client, fn: ScalarFunction): Promise<string | null> {
  const args = fn.args.map(regtype)
  if (fn.variadic !== undefined) args.push(fn.variadic === 'any' ? 'VARIADIC "any"' : `VARIADIC ${regtype(fn.variadic)}[]`)
  const signature = `${fn.name}(${args.join(', ')})`
  const result = await client.query<{ ret: string; strict: boolean; volatility: string }>(
    `SELECT prorettype::regtype::text AS ret, proisstrict AS strict, provolatile AS volatility FROM pg_proc
     WHERE proname = $1 AND pg_get_function_arguments(oid) = $2`,
    [fn.name, args.join(', ')],
  )
  const row = result.rows[0]
  if (row === undefined) return GRAMMAR_ONLY.has(fn.name) ? null : `${signature}: not in pg_proc`
  const expectedResult = typeof fn.result === 'string' ? regtype(fn.result) : row.ret
  const resultOk = row.ret === expectedResult || KNOWN_RESULT_SUBSTITUTES.get(fn.name) === row.ret
  const volatility = { immutable: 'i', stable: 's', volatile: 'v' }[fn.volatility]
  const problems = [
    resultOk ? '' : `returns ${row.ret}, nodedb ${expectedResult}`,
    row.strict === fn.strict ? '' : `strict ${String(row.strict)}`,
    row.volatility === volatility ? '' : `volatility ${row.volatility}`,
  ].filter((p) => p !== '')
  return problems.length === 0 ? null : `${signature}: ${problems.join(', ')}`
}

async function checkOperator(client: pg.Client, fn: ScalarFunction): Promise<string | null> {
  const [left, right] = fn.args.length === 1 ? [null, fn.args[0]] : [fn.args[0], fn.args[1]]
  const result = await client.query<{ ret: string }>(
    `SELECT oprresult::regtype::text AS ret FROM pg_operator WHERE oprname = $1
     AND oprleft = coalesce($2::regtype, 0) AND oprright = $3::regtype`,
    [fn.name, left === null || left === undefined ? null : regtype(left), right === undefined ? null : regtype(right)],
  )
  const row = result.rows[0]
  const signature = `${left ?? ''} ${fn.name} ${right ?? ''}`
  if (row === undefined) return `${signature}: not in pg_operator`
  const expected = typeof fn.result === 'string' ? regtype(fn.result) : row.ret
  return row.ret === expected ? null : `${signature}: returns ${row.ret}, nodedb ${expected}`
}

describe('sql/functions registries agree with pg_proc and pg_operator', function () {
  this.timeout(120_000)
  const oracle = useOracle()

  for (const [title, registry] of [['math', MATH_FUNCTIONS], ['text', TEXT_FUNCTIONS], ['misc', MISC_FUNCTIONS]] as const) {
    it(`${title}: names, argument and result types, strictness, volatility`, async function () {
      const failures: string[] = []
      for (const fn of registry) {
        const problem = /^[a-z_]/.test(fn.name) ? await checkFunction(oracle.client, fn) : await checkOperator(oracle.client, fn)
        if (problem !== null) failures.push(problem)
      }
      assert.deepEqual(failures, [])
    })
  }
})
