// sql/bind/scope: the names visible to an expression — the columns of the FROM clause (with their table qualifier)
// as slots of the row the expression reads, and the enclosing queries' scopes for correlated references.
import { ambiguousColumn, featureNotSupported, undefinedColumn } from '../../src/common/errors.js'
import type { Expr } from './expr.js'
import type { SqlType } from './types.js'

export interface ScopeColumn {
  /** Table name or alias the column can be qualified with; null for unnamed derived columns. */
  readonly qualifier: string | null
  readonly name: string
  readonly type: SqlType
  readonly slot: number
  readonly tableOid: number
  readonly columnAttr: number
  /** Hidden columns (the right side of JOIN USING's merged key) are reachable qualified only, not by * or bare name. */
  readonly hidden?: boolean
  /** System columns (a catalog relation's tableoid): reachable by name, qualified or not, but not by * or NATURAL. */
  readonly system?: boolean
}

export class Scope {
  /** Set when a lookup starting at or below this scope resolved to an enclosing scope (the query is correlated). */
  usesOuter = false

  /**
   * A transparent scope holds no columns and is no query level of its own: it only marks where a subquery starts,
   * so that a reference crossing it flags the subquery as correlated without counting as one more level of Outer.
   */
  constructor(readonly columns: ReadonlyArray<ScopeColumn>, readonly parent: Scope | null, readonly isTransparent = false) {}

  private matches(names: ReadonlyArray<string>): ScopeColumn[] {
    const name = names[names.length - 1]!
    const qualifier = names.length >= 2 ? names[names.length - 2]! : null
    return this.columns.filter((column) => column.name === name &&
      (qualifier === null ? column.hidden !== true : column.qualifier === qualifier))
  }

  /** Whether a qualifier (table name or alias) exists in this scope. */
  hasQualifier(qualifier: string): boolean {
    return this.columns.some((column) => column.qualifier === qualifier)
  }

  /** Resolves a (qualified) column name to a Slot here or an Outer slot of an enclosing scope; 42703 / 42702. */
  resolve(names: ReadonlyArray<string>, pos: number): Expr {
    let scope: Scope | null = this
    let depth = 0
    const crossed: Scope[] = []
    while (scope !== null) {
      const found = scope.matches(names)
      if (found.length > 1 && !found.every((column) => column.slot === found[0]!.slot)) {
        throw ambiguousColumn(names.join('.'), pos + 1)
      }
      const column = found[0]
      if (column !== undefined) {
        for (const inner of crossed) inner.usesOuter = true
        return depth === 0
          ? { kind: 'Slot', slot: column.slot, type: column.type, name: column.name, pos }
          : { kind: 'Outer', depth, slot: column.slot, type: column.type }
      }
      crossed.push(scope)
      if (!scope.isTransparent) depth += 1
      scope = scope.parent
    }
    // `t` naming a FROM item and no column is a whole-row reference: only the JSON functions take one (bind-whole-row.ts).
    if (names.length === 1 && this.hasQualifier(names[0]!)) throw featureNotSupported(`a whole-row reference ("${names[0]!}") here`, pos + 1)
    throw undefinedColumn(names.join('.'), pos + 1)
  }
}
