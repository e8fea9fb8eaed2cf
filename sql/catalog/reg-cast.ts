// sql/catalog/reg-cast: casts into and out of the reg* types, which need the catalog: 'cpu'::regclass is the table's
// OID (42P01 when there is none), an OID cast to regclass and then to text is the table's name ('-' for 0, the number
// when nothing has that OID), as PostgreSQL's regclassin/regclassout do. Other casts are not handled here.
import { undefinedFunctionMessage, undefinedObject, undefinedTable } from '../../src/common/errors.js'
import type { SqlValue } from '../api.js'
import { isTextType, type SqlType } from '../bind/types.js'
import { isRegType, type CatalogLookup, type RegType } from './catalog-lookup.js'

/** The text a reg* value prints as. */
export function regText(type: RegType, oid: number, catalog: CatalogLookup | undefined): string {
  if (oid === 0) return '-'
  return catalog?.nameOf(type, oid) ?? String(oid)
}

function regOid(type: RegType, text: string, catalog: CatalogLookup | undefined): number {
  if (/^\s*\d+\s*$/.test(text)) return Number(text)
  if (text.trim() === '-') return 0
  const oid = catalog?.oidOf(type, text) ?? null
  if (oid !== null) return oid
  if (type === 'regclass') throw undefinedTable(text.trim())
  // regprocin / regprocedurein: 42883, as a function that does not exist is elsewhere.
  if (type === 'regproc' || type === 'regprocedure') throw undefinedFunctionMessage(`function "${text.trim()}" does not exist`)
  throw undefinedObject(`${type === 'regtype' ? 'type' : 'schema'} "${text.trim()}" does not exist`)
}

/** reg* columns print as names (regclassout and friends): their OIDs are replaced by text before rows leave sql. */
export function printRegColumns(types: ReadonlyArray<SqlType>, rows: SqlValue[][], catalog: CatalogLookup | undefined): SqlValue[][] {
  const regColumns = types.flatMap((type, index) => (isRegType(type.name) ? [[index, type.name] as const] : []))
  if (regColumns.length === 0) return rows
  return rows.map((row) => {
    const printed = [...row]
    for (const [index, type] of regColumns) {
      const value = printed[index]
      if (value !== null && value !== undefined && isRegType(type)) printed[index] = regText(type, Number(value), catalog)
    }
    return printed
  })
}

/** The cast's result, or undefined when neither side is a reg* type that needs the catalog. */
export function castRegValue(value: Exclude<SqlValue, null>, from: SqlType, to: SqlType, catalog: CatalogLookup | undefined): SqlValue | undefined {
  const textLike = isTextType(from.name) || from.name === 'name' || from.name === 'char'
  if (isRegType(to.name) && typeof value === 'string' && textLike) return regOid(to.name, value, catalog)
  const toText = isTextType(to.name) || to.name === 'name'
  if (isRegType(from.name) && toText) return regText(from.name, Number(value), catalog)
  return undefined
}
