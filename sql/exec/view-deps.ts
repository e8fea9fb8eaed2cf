// sql/exec/view-deps: which views an ALTER TABLE would break. nodedb keeps a view's query as written (not PostgreSQL's
// parsed rule), so instead of recording every column a view reads, the change is tried on a copy of the catalog: each
// view that reads the table is planned again over the altered schema, exactly as a use of the view plans it
// (planViewItem checks the recorded columns), and a view that no longer plans to the same columns depends on what
// changed. That is PostgreSQL's dependency on a column — any reference to it, a `*` that expanded to it included.
import type { Engine } from '../../engine/api.js'
import type { TableSchema } from '../../engine/ops.js'
import { isDbError } from '../../src/common/errors.js'
import { views, type View } from '../catalog/view-definition.js'
import { planViewItem } from '../plan/plan-view.js'
import { Planner } from '../plan/planner.js'

/** The engine as it would be with `altered` in place of the table of the same id (reads only: planning). */
function withTable(engine: Engine, altered: TableSchema): Engine {
  const tables = (): ReadonlyArray<TableSchema> => engine.tables().map((table) => (table.id === altered.id ? altered : table))
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'tables') return tables
      const value: unknown = Reflect.get(target, property)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** Whether `view` still plans to its recorded columns on `engine`. */
function stillPlans(engine: Engine, view: View): boolean {
  try {
    planViewItem(new Planner(engine, [], () => undefined, true), view, view.schema.name, null, 0)
    return true
  } catch (error) {
    if (isDbError(error)) return false
    throw error
  }
}

/** The views reading `table` directly that `altered` (the same table after the change) would break, in creation order. */
export function viewsBrokenBy(engine: Engine, table: TableSchema, altered: TableSchema): View[] {
  const readers = views(engine).filter((view) => view.definition.relations.includes(table.name))
  if (readers.length === 0) return []
  const shadow = withTable(engine, altered)
  return readers.filter((view) => !stillPlans(shadow, view))
}

/** The views reading `table` at all (a rename of the table breaks every one: their queries name it). */
export function viewsReading(engine: Engine, table: TableSchema): View[] {
  return views(engine).filter((view) => view.definition.relations.includes(table.name))
}
