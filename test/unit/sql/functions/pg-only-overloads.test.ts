// test/unit/sql/functions/pg-only-overloads: PG_ONLY_OVERLOADS is exactly what a real PostgreSQL's pg_proc holds for
// nodedb's function names over argument types nodedb lacks (polymorphic pseudo-types aside: nodedb's 'any' covers
// them), so overload resolution sees PostgreSQL's candidates and a registry or type change cannot leave it stale.
import assert from 'node:assert/strict'
import { useOracle } from './oracle.js'
import { PG_TYPE_NAMES } from '../../../../sql/bind/types.js'
import { AGGREGATE_FUNCTIONS } from '../../../../sql/functions/aggregate-functions.js'
import { PG_ONLY_OPERATORS, PG_ONLY_OVERLOADS } from '../../../../sql/functions/pg-only-overloads.js'
import { allScalarFunctions } from '../../../../sql/functions/registry.js'

const PROC_ARGUMENTS = `
  SELECT p.proname AS name,
    (SELECT string_agg(t.typname::text || ':' || t.typcategory::text || CASE WHEN t.typispreferred THEN ':p' ELSE '' END, ' ' ORDER BY a.ord)
       FROM unnest(p.proargtypes) WITH ORDINALITY a(type, ord) JOIN pg_type t ON t.oid = a.type) AS args,
    (SELECT bool_or(t.typcategory = 'P') FROM unnest(p.proargtypes) a(type) JOIN pg_type t ON t.oid = a.type) AS polymorphic,
    (SELECT array_agg(t.typname::text) FROM unnest(p.proargtypes) a(type) JOIN pg_type t ON t.oid = a.type) AS types
  FROM pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.proname = ANY($1) ORDER BY p.proname, p.oid`

// One operand as 'type:category[:p]'.
const operand = (t: string): string => `${t}.typname::text || ':' || ${t}.typcategory::text || CASE WHEN ${t}.typispreferred THEN ':p' ELSE '' END`
const OPERATOR_OPERANDS = `
  SELECT o.oprname AS name, concat_ws(' ', CASE WHEN o.oprleft <> 0 THEN ${operand('l')} END, ${operand('r')}) AS args,
    array_remove(ARRAY[l.typname::text, r.typname::text], NULL) AS types
  FROM pg_operator o LEFT JOIN pg_type l ON l.oid = o.oprleft JOIN pg_type r ON r.oid = o.oprright
  WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND NOT o.oprname = ANY($1) ORDER BY o.oprname, o.oid`
// Comparisons (bindComparison) and LIKE's operator spellings (ExprLike) never reach operator overload resolution.
const RESOLVED_ELSEWHERE = ['=', '<>', '<', '<=', '>', '>=', '~~', '~~*', '!~~', '!~~*']

const sorted = (table: Readonly<Record<string, ReadonlyArray<string>>>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(table).map(([name, specs]) => [name, [...specs].sort()]).sort(([a], [b]) => (a! < b! ? -1 : 1)))

describe('PostgreSQL-only overloads of nodedb functions and operators', function () {
  this.timeout(120_000)
  const oracle = useOracle()

  it('lists every pg_proc overload whose argument types nodedb lacks, and nothing else', async function () {
    const names = [...new Set([...allScalarFunctions(), ...AGGREGATE_FUNCTIONS].map((fn) => fn.name))]
    const nodedbTypes = new Set<string>([...PG_TYPE_NAMES])
    const result = await oracle.client.query<{ name: string; args: string | null; polymorphic: boolean | null; types: string[] | null }>(PROC_ARGUMENTS, [names])
    const expected: Record<string, string[]> = {}
    for (const row of result.rows) {
      if (row.args === null || row.polymorphic === true || row.types!.every((type) => nodedbTypes.has(type))) continue
      ;(expected[row.name] ??= []).push(row.args)
    }
    assert.deepEqual(sorted(PG_ONLY_OVERLOADS), sorted(expected))
    assert.ok(Object.keys(expected).length > 0, 'PostgreSQL has overloads over types nodedb lacks (trunc(macaddr) at least)')
  })

  it('lists every pg_operator operator whose operand types nodedb lacks, polymorphic ones included', async function () {
    const nodedbTypes = new Set<string>([...PG_TYPE_NAMES])
    const result = await oracle.client.query<{ name: string; args: string; types: string[] }>(OPERATOR_OPERANDS, [RESOLVED_ELSEWHERE])
    const expected: Record<string, string[]> = {}
    for (const row of result.rows) if (!row.types.every((type) => nodedbTypes.has(type))) (expected[row.name] ??= []).push(row.args)
    assert.deepEqual(sorted(PG_ONLY_OPERATORS), sorted(expected))
    assert.ok(Object.keys(expected).includes('@>'), 'PostgreSQL has operators over types nodedb lacks (box @> point at least)')
  })
})
