// sql/catalog/type-names: a type's names as PostgreSQL spells them — regtypein's reading of a written name and
// format_type's spelling of an OID — over pg_type's rows. Pure data, so function definitions can print types
// without the catalog lookup (which reaches the function registry through pg_proc).
import { PG_TYPE_ROWS } from './pg-type-data.js'

/** format_type spellings that name a type (regtype input accepts them): 'integer', 'double precision', 'text[]'. */
const TYPE_SPELLINGS: Readonly<Record<string, string>> = {
  boolean: 'bool', smallint: 'int2', integer: 'int4', int: 'int4', bigint: 'int8', real: 'float4', 'double precision': 'float8',
  'character varying': 'varchar', character: 'bpchar', 'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz', 'time without time zone': 'time', 'time with time zone': 'timetz', '"char"': 'char', decimal: 'numeric',
  '"any"': 'any', // a reserved word: format_type quotes it
}

/** regtypein's reading of a type name: schema-qualified or not, "quoted" (exact) or folded, [] for its array type. */
export function typeOidOf(name: string): number | null {
  const trimmed = name.trim().replace(/^(pg_catalog|"pg_catalog")\s*\.\s*/i, '')
  const isArray = trimmed.endsWith('[]')
  const written = (isArray ? trimmed.slice(0, -2) : trimmed).trim()
  const quoted = written.length >= 2 && written.startsWith('"') && written.endsWith('"')
  const base = quoted ? written.slice(1, -1).replaceAll('""', '"') : written.toLowerCase().replace(/\s+/g, ' ')
  const typname = (isArray ? '_' : '') + (quoted ? base : TYPE_SPELLINGS[base] ?? base)
  return PG_TYPE_ROWS.find((row) => row[1] === typname)?.[0] ?? null
}

/** A type's name as regtype prints it: format_type's spelling. */
export function typeDisplayName(oid: number): string | null {
  const row = PG_TYPE_ROWS.find((r) => r[0] === oid)
  if (row === undefined) return null
  const element = row[1].startsWith('_') ? PG_TYPE_ROWS.find((r) => r[0] === row[8]) : undefined
  const spell = (typname: string): string => Object.entries(TYPE_SPELLINGS).find(([spelling, t]) => t === typname && spelling !== 'int' && spelling !== 'decimal')?.[0] ?? typname
  return element === undefined ? spell(row[1]) : `${spell(element[1])}[]`
}

