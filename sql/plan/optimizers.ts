// sql/plan/optimizers: the rewrites that move work next to the data or avoid holding rows, each of which can be
// switched off per session — `SET nodedb.disabled_optimizers = 'aggregate_pushdown, top_n'` or 'all' — so the
// differential corpus checks that every one of them returns exactly the rows the plain plan returns (DuckDB's
// disabled_optimizers).
import { invalidParameterValue } from '../../src/common/errors.js'

export const OPTIMIZERS = ['filter_pushdown', 'aggregate_pushdown', 'lastpoint', 'top_n', 'streaming'] as const
export type Optimizer = (typeof OPTIMIZERS)[number]

export const SETTING_DISABLED_OPTIMIZERS = 'nodedb.disabled_optimizers'

/** The optimizers a session switched off; 22023 for a name nodedb does not have. */
export function disabledOptimizers(settings: ReadonlyMap<string, string>): ReadonlySet<Optimizer> {
  const text = settings.get(SETTING_DISABLED_OPTIMIZERS) ?? ''
  const names = text.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
  if (names.includes('all')) return new Set(OPTIMIZERS)
  for (const name of names) {
    if (!(OPTIMIZERS as ReadonlyArray<string>).includes(name)) {
      throw invalidParameterValue(`unrecognized optimizer "${name}" in ${SETTING_DISABLED_OPTIMIZERS} (known: ${OPTIMIZERS.join(', ')}, all)`)
    }
  }
  return new Set(names as Optimizer[])
}
