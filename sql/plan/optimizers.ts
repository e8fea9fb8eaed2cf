// sql/plan/optimizers: the rewrites that move work next to the data or avoid holding rows, each of which can be
// switched off per session — `SET nodedb.disabled_optimizers = 'aggregate_pushdown, top_n'` or 'all' — so the
// differential corpus checks that every one of them returns exactly the rows the plain plan returns (DuckDB's
// disabled_optimizers).
import { invalidParameterValue } from '../../src/common/errors.js'

export const OPTIMIZERS = ['filter_pushdown', 'aggregate_pushdown', 'lastpoint', 'top_n', 'streaming', 'core_sort', 'group_order'] as const
export type Optimizer = (typeof OPTIMIZERS)[number]

export const SETTING_DISABLED_OPTIMIZERS = 'nodedb.disabled_optimizers'

// The merged settings map is reused while a session's settings are unchanged (mergedSettings), so its answer is too.
const DISABLED_BY_SETTINGS = new WeakMap<ReadonlyMap<string, string>, ReadonlySet<Optimizer>>()

/** The optimizers a session switched off; 22023 for a name nodedb does not have. */
export function disabledOptimizers(settings: ReadonlyMap<string, string>): ReadonlySet<Optimizer> {
  let disabled = DISABLED_BY_SETTINGS.get(settings)
  if (disabled === undefined) {
    disabled = parseDisabled(settings.get(SETTING_DISABLED_OPTIMIZERS) ?? '')
    DISABLED_BY_SETTINGS.set(settings, disabled)
  }
  return disabled
}

function parseDisabled(text: string): ReadonlySet<Optimizer> {
  const names = text.split(',').map((name) => name.trim().toLowerCase()).filter((name) => name !== '')
  if (names.includes('all')) return new Set(OPTIMIZERS)
  for (const name of names) {
    if (!(OPTIMIZERS as ReadonlyArray<string>).includes(name)) {
      throw invalidParameterValue(`unrecognized optimizer "${name}" in ${SETTING_DISABLED_OPTIMIZERS} (known: ${OPTIMIZERS.join(', ')}, all)`)
    }
  }
  return new Set(names as Optimizer[])
}
