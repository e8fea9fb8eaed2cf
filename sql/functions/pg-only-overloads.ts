// sql/functions/pg-only-overloads: PostgreSQL 15's overloads of nodedb's functions whose argument types nodedb does
// not have (trunc(macaddr), length(bit), max(inet), …), as 'type:category[:p]' per argument (p: the category's
// preferred type). They take part in overload resolution — an unknown literal is ambiguous exactly where PostgreSQL
// finds it so (trunc('2.5') is 42725 because of trunc(macaddr)) — and a call that resolves to one is refused with
// 0A000. test/unit/sql/pg-only-overloads.test.ts rebuilds this table from a real PostgreSQL's pg_proc and nodedb's
// registry and fails when it differs. Operators are not listed (pg_operator's PostgreSQL-only operands).
export const PG_ONLY_OVERLOADS: Readonly<Record<string, ReadonlyArray<string>>> = {
  age: ['xid:U'],
  bit_and: ['bit:V'],
  bit_length: ['bit:V'],
  bit_or: ['bit:V'],
  date_part: ['text:S:p timetz:D'],
  extract: ['text:S:p timetz:D'],
  get_bit: ['bit:V int4:N'],
  length: ['tsvector:U', 'path:G', 'lseg:G', 'bit:V'],
  max: ['inet:I:p', 'timetz:D', 'money:N', 'tid:U', 'pg_lsn:U', 'xid8:U'],
  min: ['timetz:D', 'money:N', 'tid:U', 'inet:I:p', 'pg_lsn:U', 'xid8:U'],
  octet_length: ['bit:V'],
  overlaps: ['timetz:D timetz:D timetz:D timetz:D'],
  overlay: ['bit:V bit:V int4:N int4:N', 'bit:V bit:V int4:N'],
  pg_get_expr: ['pg_node_tree:Z oid:N:p', 'pg_node_tree:Z oid:N:p bool:B:p'],
  position: ['bit:V bit:V'],
  set_bit: ['bit:V int4:N int4:N'],
  substring: ['bit:V int4:N', 'bit:V int4:N int4:N'],
  sum: ['money:N'],
  timezone: ['interval:T:p timetz:D', 'text:S:p timetz:D'],
  trunc: ['macaddr:U', 'macaddr8:U'],
}
