// sql/catalog/catalog-lookup: name ↔ OID resolution for the reg* types ('cpu'::regclass, oid::regclass::text,
// typinput = 'array_in'::regproc), over nodedb's tables, the virtual relations, pg_type and namespaces. Built per
// statement from engine.tables(), so a table created or dropped a moment ago resolves (or not) at once.
import type { Engine } from '../../engine/api.js'
import { tableOid } from '../bind/catalog.js'
import type { PgTypeName } from '../bind/types.js'
import { NAMESPACES, VIRTUAL_RELATIONS } from './catalog-ids.js'
import { PG_TYPE_ROWS } from './pg-type-data.js'
import { viewDefinitionText } from './information-schema.js'
import { viewOid, views } from './view-definition.js'

export interface CatalogLookup {
  /** The OID of a name of the reg* type, or null when there is no such object. */
  readonly oidOf: (type: RegType, name: string) => number | null
  /** The name a reg* value prints as, or null when the OID names nothing (PostgreSQL then prints the number). */
  readonly nameOf: (type: RegType, oid: number) => string | null
  /** Bytes on disk of the relation with this OID (a table's segments; 0 for a virtual one); null when there is none. */
  readonly relationBytes?: (oid: number) => number | null
  /** Bytes on disk of every table's segments (pg_database_size of the one database). */
  readonly databaseBytes?: () => number
  /** pg_get_viewdef: the definition of the view with this OID, or null when it is none. */
  readonly viewDefinition?: (oid: number) => string | null
}

export type RegType = Extract<PgTypeName, 'regclass' | 'regtype' | 'regproc' | 'regnamespace'>

export function isRegType(name: PgTypeName): name is RegType {
  return name === 'regclass' || name === 'regtype' || name === 'regproc' || name === 'regnamespace'
}

/** A written object name without its optional schema qualifier and quotes ('pg_catalog.pg_class', '"cpu"'). */
function bareName(name: string): string {
  const last = name.trim().split('.').pop() ?? ''
  return last.startsWith('"') && last.endsWith('"') && last.length >= 2 ? last.slice(1, -1).replaceAll('""', '"') : last.toLowerCase()
}

/** format_type spellings that name a type (regtype input accepts them): 'integer', 'double precision', 'text[]'. */
const TYPE_SPELLINGS: Readonly<Record<string, string>> = {
  boolean: 'bool', smallint: 'int2', integer: 'int4', int: 'int4', bigint: 'int8', real: 'float4', 'double precision': 'float8',
  'character varying': 'varchar', character: 'bpchar', 'timestamp without time zone': 'timestamp',
  'timestamp with time zone': 'timestamptz', 'time without time zone': 'time', '"char"': 'char', decimal: 'numeric',
}

/** regtypein's reading of a type name: schema-qualified or not, "quoted" (exact) or folded, [] for its array type. */
function typeOidOf(name: string): number | null {
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

function procRows(): ReadonlyArray<readonly [number, string]> {
  return PG_TYPE_ROWS.flatMap((row) => [[row[10], row[11]], [row[12], row[13]], [row[14], row[15]], [row[16], row[17]]] as const)
}

export function catalogLookup(engine: Engine): CatalogLookup {
  const relations = (): ReadonlyArray<readonly [number, string]> => [
    ...engine.tables().map((table) => [tableOid(table), table.name] as const),
    ...(engine.views?.() ?? []).map((view) => [viewOid(view), view.name] as const),
    ...VIRTUAL_RELATIONS.map(([, name, oid]) => [oid, name] as const),
  ]
  return {
    viewDefinition: (oid) => {
      const view = views(engine).find((candidate) => viewOid(candidate.schema) === oid)
      return view === undefined ? null : viewDefinitionText(view)
    },
    databaseBytes: () => [...(engine.tableSegmentBytes?.().values() ?? [])].reduce((sum, bytes) => sum + bytes, 0),
    relationBytes: (oid) => {
      const table = engine.tables().find((candidate) => tableOid(candidate) === oid)
      if (table !== undefined) return engine.tableSegmentBytes?.().get(table.id) ?? 0
      // A view or a catalog relation has no storage of its own: 0 bytes, as PostgreSQL reports for a view.
      const isView = (engine.views?.() ?? []).some((view) => viewOid(view) === oid)
      return isView || VIRTUAL_RELATIONS.some(([, , relOid]) => relOid === oid) ? 0 : null
    },
    oidOf: (type, name) => {
      switch (type) {
        case 'regclass': return relations().find(([, relname]) => relname === bareName(name))?.[0] ?? null
        case 'regtype': return typeOidOf(name)
        case 'regproc': return procRows().find(([, proname]) => proname === bareName(name))?.[0] ?? null
        case 'regnamespace': return NAMESPACES.find(([, nspname]) => nspname === bareName(name))?.[0] ?? null
      }
    },
    nameOf: (type, oid) => {
      switch (type) {
        case 'regclass': return relations().find(([relOid]) => relOid === oid)?.[1] ?? null
        case 'regtype': return typeDisplayName(oid)
        case 'regproc': return procRows().find(([procOid]) => procOid === oid)?.[1] ?? null
        case 'regnamespace': return NAMESPACES.find(([nspOid]) => nspOid === oid)?.[1] ?? null
      }
    },
  }
}
