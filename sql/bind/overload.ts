// sql/bind/overload: which overload of a function or operator a call takes — PostgreSQL's func_select_candidate
// (parse_func.c; oper_select_candidate runs the same steps), over nodedb's types. Every argument must cast to the
// candidate implicitly; then the most exact matches win, then the most positions taking the preferred type of the
// argument's category, then unknown literals settle on one category per position (string first, its preferred type
// if any candidate takes it), then unknowns take the type of the known arguments when they all share one. More than
// one left is PostgreSQL's 42725 "is not unique" — never a silent pick. PostgreSQL's overloads over types nodedb
// lacks (sql/functions/pg-only-overloads.ts) compete too, so ambiguity is PostgreSQL's; one of them chosen is 0A000.
import { PG_ONLY_OPERATORS, PG_ONLY_OVERLOADS } from '../functions/pg-only-overloads.js'
import { canImplicitlyCast, categoryOf, PREFERRED } from './type-rules.js'
import { PG_TYPES, type PgTypeName, type SqlType } from './types.js'

type Target = PgTypeName | 'any'

interface Overloaded {
  readonly args: ReadonlyArray<Target>
  readonly variadic?: Target
}

export interface Picked<F> {
  readonly fn: F
  readonly targets: ReadonlyArray<Target>
}

/**
 * The candidate chosen; null when none fits (42883); 'ambiguous' when more than one fits equally well (42725);
 * `unsupported` when PostgreSQL would take an overload over a type nodedb lacks (its argument types, for 0A000).
 */
export type OverloadChoice<F> = Picked<F> | null | 'ambiguous' | { readonly unsupported: ReadonlyArray<string> }

/** An argument type as resolution sees it: PostgreSQL's name, category letter and preferred flag. */
interface Slot {
  readonly name: string
  readonly category: string
  readonly preferred: boolean
  /** A type nodedb lacks: only an unknown literal can be passed to it. */
  readonly foreign: boolean
}

interface Candidate<F> {
  readonly fn: F | null
  readonly targets: ReadonlyArray<Target>
  readonly slots: ReadonlyArray<Slot>
}

// PostgreSQL's categories: uuid, bytea, json and jsonb are all 'U' (nodedb's own letters keep them apart elsewhere).
const PG_CATEGORY: Readonly<Record<string, string>> = { V: 'U', Y: 'U', J: 'U', K: 'U' }

function slotOf(target: Target): Slot {
  if (target === 'any') return { name: 'any', category: 'P', preferred: false, foreign: false }
  const category = categoryOf(target)
  return { name: target, category: PG_CATEGORY[category] ?? category, preferred: PREFERRED[category] === target, foreign: false }
}

/** An argument of a PostgreSQL-only overload: its PostgreSQL-only types are foreign, the others nodedb's own. */
function foreignSlot(spec: string): Slot {
  const [name, category, preferred] = spec.split(':')
  return { name: name!, category: category!, preferred: preferred === 'p', foreign: !Object.hasOwn(PG_TYPES, name!) }
}

function targetsOf(fn: Overloaded, count: number): ReadonlyArray<Target> | null {
  if (fn.variadic === undefined) return fn.args.length === count ? fn.args : null
  if (count < fn.args.length) return null
  return [...fn.args, ...Array.from({ length: count - fn.args.length }, () => fn.variadic!)]
}

const canCast = (input: PgTypeName, slot: Slot): boolean =>
  slot.foreign ? input === 'unknown' : slot.name === 'any' || canImplicitlyCast(input, slot.name as PgTypeName)

/** The candidates scoring highest; all of them when the best score is 0 (PostgreSQL keeps all when none match). */
function keepBest<F>(candidates: ReadonlyArray<Candidate<F>>, score: (candidate: Candidate<F>) => number): ReadonlyArray<Candidate<F>> {
  let best = -1
  let kept: Array<Candidate<F>> = []
  for (const candidate of candidates) {
    const value = score(candidate)
    if (value > best) { best = value; kept = [candidate] } else if (value === best) kept.push(candidate)
  }
  return kept
}

function fittingCandidates<F extends Overloaded>(candidates: ReadonlyArray<F>, inputs: ReadonlyArray<PgTypeName>, pgOnly: ReadonlyArray<string>): Array<Candidate<F>> {
  const fitting: Array<Candidate<F>> = []
  for (const fn of candidates) {
    const targets = targetsOf(fn, inputs.length)
    const slots = targets?.map(slotOf)
    if (targets !== null && slots!.every((slot, i) => canCast(inputs[i]!, slot))) fitting.push({ fn, targets, slots: slots! })
  }
  for (const spec of pgOnly) {
    const slots = spec.split(' ').map(foreignSlot)
    if (slots.length === inputs.length && slots.every((slot, i) => canCast(inputs[i]!, slot))) fitting.push({ fn: null, targets: [], slots })
  }
  return fitting
}

/** PostgreSQL's overloads of a function or operator over types nodedb lacks. */
export function pgOnlyOverloads(name: string, kind: 'function' | 'operator'): ReadonlyArray<string> {
  const table = kind === 'function' ? PG_ONLY_OVERLOADS : PG_ONLY_OPERATORS
  return Object.hasOwn(table, name) ? table[name]! : []
}

/** `pgOnly`: PostgreSQL's overloads over types nodedb lacks (pgOnlyOverloads), which compete as PostgreSQL's do. */
export function chooseOverload<F extends Overloaded>(candidates: ReadonlyArray<F>, argTypes: ReadonlyArray<SqlType>, pgOnly: ReadonlyArray<string> = []): OverloadChoice<F> {
  const inputs = argTypes.map((type) => type.name)
  const fitting = fittingCandidates(candidates, inputs, pgOnly)
  if (fitting.length <= 1) return fitting.length === 0 ? null : chosen(fitting[0]!)
  const known = (i: number): boolean => inputs[i] !== 'unknown'
  let kept = keepBest(fitting, (c) => c.slots.filter((slot, i) => known(i) && slot.name === inputs[i]).length)
  if (kept.length === 1) return chosen(kept[0]!)
  kept = keepBest(kept, (c) => c.slots.filter((slot, i) => known(i) && (slot.name === inputs[i] || PREFERRED[categoryOf(inputs[i]!)] === slot.name)).length)
  if (kept.length === 1) return chosen(kept[0]!)
  const unknowns = inputs.flatMap((input, i) => (input === 'unknown' ? [i] : []))
  if (unknowns.length === 0) return 'ambiguous'
  kept = byUnknownCategories(kept, unknowns)
  if (kept.length === 1) return chosen(kept[0]!)
  const single = byKnownType(kept, inputs)
  return single === null ? 'ambiguous' : chosen(single)
}

function chosen<F>(candidate: Candidate<F>): OverloadChoice<F> {
  if (candidate.fn === null) return { unsupported: candidate.slots.map((slot) => slot.name) }
  return { fn: candidate.fn, targets: candidate.targets }
}

/** Each unknown position settles on one category (string wins a conflict; any other conflict settles nothing). */
function byUnknownCategories<F>(candidates: ReadonlyArray<Candidate<F>>, unknowns: ReadonlyArray<number>): ReadonlyArray<Candidate<F>> {
  const settled: Array<{ category: string; hasPreferred: boolean }> = []
  for (const i of unknowns) {
    let slot: { category: string; hasPreferred: boolean } | null = null
    let conflict = false
    for (const candidate of candidates) {
      const { category, preferred } = candidate.slots[i]!
      if (slot === null) slot = { category, hasPreferred: preferred }
      else if (category === slot.category) slot.hasPreferred ||= preferred
      else if (category === 'S') slot = { category, hasPreferred: preferred }
      else if (slot.category !== 'S') conflict = true
    }
    if (slot === null || (conflict && slot.category !== 'S')) return candidates
    settled.push(slot)
  }
  const kept = candidates.filter((candidate) => unknowns.every((i, k) => {
    const slot = candidate.slots[i]!
    return slot.category === settled[k]!.category && (!settled[k]!.hasPreferred || slot.preferred)
  }))
  return kept.length === 0 ? candidates : kept
}

/** Known arguments all of one type: unknowns are taken as that type too; exactly one candidate taking it is the one. */
function byKnownType<F>(candidates: ReadonlyArray<Candidate<F>>, inputs: ReadonlyArray<PgTypeName>): Candidate<F> | null {
  const knownTypes = new Set(inputs.filter((input) => input !== 'unknown'))
  if (knownTypes.size !== 1) return null
  const [type] = knownTypes
  const taking = candidates.filter((candidate) => candidate.slots.every((slot) => canCast(type!, slot)))
  return taking.length === 1 ? taking[0]! : null
}
