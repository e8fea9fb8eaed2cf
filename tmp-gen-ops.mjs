import pg from 'pg'
import { PG_TYPE_NAMES } from '/work/main/dist/sql/bind/types.js'
const c = new pg.Client({ host: '/tmp/pgx', port: 25432, user: 'postgres', database: 'postgres' }); await c.connect()
const slot = (t) => `${t}.typname::text || ':' || ${t}.typcategory::text || CASE WHEN ${t}.typispreferred THEN ':p' ELSE '' END`
const r = await c.query(`SELECT o.oprname AS name, concat_ws(' ', CASE WHEN o.oprleft <> 0 THEN ${slot('l')} END, ${slot('r')}) AS args,
  array_remove(ARRAY[l.typname::text, r.typname::text], NULL) AS types
  FROM pg_operator o LEFT JOIN pg_type l ON l.oid = o.oprleft JOIN pg_type r ON r.oid = o.oprright
  WHERE o.oprnamespace = 'pg_catalog'::regnamespace AND NOT o.oprname = ANY($1) ORDER BY o.oprname, o.oid`, [['=', '<>', '<', '<=', '>', '>=', '~~', '~~*', '!~~', '!~~*']])
const known = new Set(PG_TYPE_NAMES)
const out = new Map()
for (const row of r.rows) { if (row.types.every((t) => known.has(t))) continue; if (!out.has(row.name)) out.set(row.name, []); out.get(row.name).push(row.args) }
const lines = []
for (const [name, specs] of [...out].sort(([a], [b]) => (a < b ? -1 : 1))) {
  let line = `  '${name}': [`
  const parts = specs.map((s) => `'${s}'`)
  let cur = line
  const chunks = []
  for (const p of parts) { if ((cur + p + ', ').length > 118) { chunks.push(cur.trimEnd()); cur = '    ' } cur += p + ', ' }
  chunks.push(cur.replace(/, $/, '') + '],')
  lines.push(...chunks)
}
console.log(lines.join('\n'))
console.error('names', out.size, 'rows', [...out.values()].flat().length)
await c.end()
