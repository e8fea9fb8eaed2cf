// sql/catalog/catalog-lookup: name ↔ OID resolution for the reg* types ('cpu'::regclass, oid::regclass::text,
// typinput = 'array_in'::regproc), over nodedb's tables, the virtual relations, pg_type and namespaces. Built per
// statement from engine.tables(), so a table created or dropped a moment ago resolves (or not) at once.
import type { Engine } from '../../engine/api.js'
import { ambiguousFunction, featureNotSupportedMessage, invalidTextRepresentationMessage, undefinedObject } from '../../src/common/errors.js'
import { tableOid } from '../bind/catalog.js'
import type { PgTypeName } from '../bind/types.js'
import { NAMESPACES, VIRTUAL_RELATIONS } from './catalog-ids.js'
import { PG_TYPE_ROWS } from './pg-type-data.js'
import { typeDisplayName, typeOidOf } from './type-names.js'
import { functionArguments, procEntries, procEntry, type ProcEntry } from './pg-proc.js'
import { formatType } from '../functions/catalog-functions.js'
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
  /** pg_get_function_arguments / _result of the pg_proc row with this OID; null when there is none. */
  readonly functionSignature?: (oid: number) => { readonly arguments: string; readonly result: string } | null
}

export type RegType = Extract<PgTypeName, 'regclass' | 'regtype' | 'regproc' | 'regprocedure' | 'regnamespace'>

export function isRegType(name: PgTypeName): name is RegType {
  return name === 'regclass' || name === 'regtype' || name === 'regproc' || name === 'regprocedure' || name === 'regnamespace'
}

/** A written object name without its optional schema qualifier and quotes ('pg_catalog.pg_class', '"cpu"'). */
function bareName(name: string): string {
  const last = name.trim().split('.').pop() ?? ''
  return last.startsWith('"') && last.endsWith('"') && last.length >= 2 ? last.slice(1, -1).replaceAll('""', '"') : last.toLowerCase()
}

/** regproc's names: pg_type's I/O functions and nodedb's pg_proc rows (the first overload of a name). */
function procRows(): ReadonlyArray<readonly [number, string]> {
  return [
    ...PG_TYPE_ROWS.flatMap((row) => [[row[10], row[11]], [row[12], row[13]], [row[14], row[15]], [row[16], row[17]]] as const),
    ...procEntries().map((entry) => [entry.oid, entry.name] as const),
  ]
}

/** regprocin: the one function of that name; 42725 when overloads share it (PostgreSQL asks for regprocedure then). */
function procOidOf(name: string): number | null {
  const oids = new Set(procRows().filter(([, proname]) => proname === bareName(name)).map(([oid]) => oid))
  if (oids.size > 1) throw ambiguousFunction(`more than one function named "${name.trim()}"`)
  return oids.size === 1 ? [...oids][0]! : null
}

/** regprocedurein: 'name(type, …)' — the one function of that name with exactly those argument types. */
function procedureOidOf(text: string): number | null {
  const match = /^\s*([^(]+?)\s*\((.*)\)\s*$/s.exec(text)
  if (match === null) throw invalidTextRepresentationMessage('expected a left parenthesis')
  const written = match[2]!.trim()
  const argOids = written === '' ? [] : splitTypeList(written).map((type) => {
    const oid = typeOidOf(type.replace(/\(\s*\d+(\s*,\s*\d+)?\s*\)/, ''))
    if (oid === null) throw undefinedObject(`type "${type.trim()}" does not exist`)
    return oid
  })
  const name = bareName(match[1]!)
  const found = procEntries().find((entry) => entry.name === name && sameOids(proargtypes(entry), argOids))
  return found?.oid ?? null
}

/** Top-level commas only: 'numeric(10,2), text' is two types. */
function splitTypeList(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')') depth--
    else if (text[i] === ',' && depth === 0) { parts.push(text.slice(start, i)); start = i + 1 }
  }
  return [...parts, text.slice(start)]
}

const proargtypes = (entry: ProcEntry): ReadonlyArray<number> => (entry.variadicOid === 0 ? entry.argOids : [...entry.argOids, entry.variadicOid])
const sameOids = (a: ReadonlyArray<number>, b: ReadonlyArray<number>): boolean => a.length === b.length && a.every((oid, i) => oid === b[i])

/** regprocedureout: 'name(type,type)' in format_type's spelling; a type I/O function (no argument types here) is 0A000. */
function procedureText(oid: number): string | null {
  const entry = procEntry(oid)
  if (entry !== undefined) return `${entry.name}(${proargtypes(entry).map((arg) => formatType(arg, null)).join(',')})`
  if (procRows().some(([procOid]) => procOid === oid)) throw featureNotSupportedMessage('regprocedure of a type input/output function is not supported')
  return null
}

function functionSignature(oid: number): { arguments: string; result: string } | null {
  const entry = procEntry(oid)
  return entry === undefined ? null : { arguments: functionArguments(entry), result: formatType(entry.resultOid, null) }
}

export function catalogLookup(engine: Engine): CatalogLookup {
  const relations = (): ReadonlyArray<readonly [number, string]> => [
    ...engine.tables().map((table) => [tableOid(table), table.name] as const),
    ...(engine.views?.() ?? []).map((view) => [viewOid(view), view.name] as const),
    ...VIRTUAL_RELATIONS.map(([, name, oid]) => [oid, name] as const),
  ]
  return {
    functionSignature,
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
        case 'regproc': return procOidOf(name)
        case 'regprocedure': return procedureOidOf(name)
        case 'regnamespace': return NAMESPACES.find(([, nspname]) => nspname === bareName(name))?.[0] ?? null
      }
    },
    nameOf: (type, oid) => {
      switch (type) {
        case 'regclass': return relations().find(([relOid]) => relOid === oid)?.[1] ?? null
        case 'regtype': return typeDisplayName(oid)
        case 'regproc': return procRows().find(([procOid]) => procOid === oid)?.[1] ?? null
        case 'regprocedure': return procedureText(oid)
        case 'regnamespace': return NAMESPACES.find(([nspOid]) => nspOid === oid)?.[1] ?? null
      }
    },
  }
}
