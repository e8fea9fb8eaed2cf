// sql/bind/overload-cache: chooseOverload's answers kept per candidate list and argument type names, so a query
// planned again (a TSBS or dashboard text with new literal values: new text, same calls) does not score the same
// candidates again — overload resolution was ~15% of planning such a text. Exact: chooseOverload reads nothing but
// the candidates (the registry's lists, built once at load and never changed), the argument types' names and
// PostgreSQL's overloads over types nodedb lacks (a constant table per name and kind, which `variant` names); its
// answers are immutable data the binder only reads.
import { OVERLOAD_CHOICES_PER_NAME_MAX_COUNT } from '../../src/common/limits.js'
import { chooseOverload, type OverloadChoice } from './overload.js'
import type { SqlType } from './types.js'

type Overloaded = Parameters<typeof chooseOverload>[0][number]

// Per registry list (one per name): per variant, name and argument type names, the choice made.
const CHOICES = new WeakMap<ReadonlyArray<object>, Map<string, OverloadChoice<unknown>>>()

/**
 * chooseOverload(candidates(), argTypes, pgOnly()), remembered per `source` (the registry's list `candidates` is
 * taken from: the same list and `variant` must always give the same candidates and PostgreSQL-only overloads) and
 * the argument type names.
 */
export function chooseOverloadCached<F extends Overloaded>(source: ReadonlyArray<F>, variant: string, candidates: () => ReadonlyArray<F>,
  argTypes: ReadonlyArray<SqlType>, pgOnly: () => ReadonlyArray<string>): OverloadChoice<F> {
  // The empty list of an unknown name is a new array each time: nothing to keep it by.
  if (source.length === 0) return chooseOverload(candidates(), argTypes, pgOnly())
  let byKey = CHOICES.get(source)
  if (byKey === undefined) {
    byKey = new Map()
    CHOICES.set(source, byKey)
  }
  let key = variant
  for (const type of argTypes) key += `\u0000${type.name}`
  const kept = byKey.get(key)
  if (kept !== undefined) return kept as OverloadChoice<F>
  const choice = chooseOverload(candidates(), argTypes, pgOnly())
  if (byKey.size < OVERLOAD_CHOICES_PER_NAME_MAX_COUNT) byKey.set(key, choice)
  return choice
}
