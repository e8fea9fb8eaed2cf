// sql/plan/shape-plan: one plan per literal shape (parse-shapes.ts), its literals' values re-bound into it instead of
// binding and planning every text again (TSBS and dashboards send a new text per query: hosts and time bounds vary).
// A plan is plain data; what in it depends on a literal's value is found the way literal-template.ts finds a parse's:
// - the shape is planned for two texts whose string literals differ (its template's first hits; plan-cache.ts tries
//   a few pairs), and the two plans must be equal but for primitive leaves: no value decided the plan's form;
// - each differing leaf must be made from the values in one of two checked ways: a string literal's bound Const
//   (unknown or text: its value is the literal's text), or a fold the planner asked for (a scan's time bound, a pushed
//   tag value) of an expression whose only varying parts are such Consts — re-folded with the new text, which is
//   exactly the fold a fresh plan makes (same expression, same session: settings are part of the key);
// - every literal that differed must make some leaf, and every fold that read one must be a leaf's maker (a fold
//   that only steered a choice, as a min/max of two bounds would, leaves the shape unplanned);
// - a later text may change only literals that differed between the two (the others must be spelled as the first),
//   each new leaf must be of its sample's class (string; finite or not, integer or not; null), and a fold that
//   raises (a malformed timestamp) plans afresh, so the error is the one a fresh plan gives.
// Number literals never vary (an integer in ORDER BY is a column position). Paranoid runs plan every hit afresh too.
import type { SqlValue } from '../api.js'
import type { Expr } from '../bind/expr.js'
import { copiedAlong, nodesWhere, pathTrie, valueAt, type PathTrie, type TreePath } from '../parse/tree-paths.js'
import type { PlanNode } from './plan-node.js'
import type { Folder } from './pushdown.js'

/** A parse made from a literal template: the template (its identity keys the shape) and its slots' values. */
export interface LiteralInstance {
  readonly template: object
  /** Per literal: its value as the parse holds it (null for a literal the template fixes). */
  readonly values: ReadonlyArray<string | null>
  readonly isString: ReadonlyArray<boolean>
}

type Path = TreePath

/** How one leaf is made from a text's values: a literal's own text, or the fold of a recorded expression. */
type Derivation =
  | { readonly kind: 'literal'; readonly slot: number }
  | { readonly kind: 'fold'; readonly expr: Expr; readonly consts: ReadonlyArray<ConstSlot> }

/** A string Const of a varied literal: the path to its value (the Const's path and 'value', made once). */
interface ConstSlot { readonly valuePath: Path; readonly slot: number }
interface Leaf { readonly path: Path; readonly derive: Derivation; readonly sample: unknown }

/** A plan made once for the shape, with what its leaves are made of. */
export interface ShapePlan {
  readonly plan: PlanNode
  readonly values: ReadonlyArray<string | null>
  readonly varied: ReadonlyArray<boolean>
  readonly leaves: ReadonlyArray<Leaf>
  /** The leaves' paths (index = leaf): a binding copies each plan node on them once, not once per leaf below it. */
  readonly trie: PathTrie
}

/** One fresh planning of a shape: the plan, the values it was made for, and every fold the planner asked for. */
export interface PlanSample {
  readonly plan: PlanNode
  readonly values: ReadonlyArray<string | null>
  readonly folds: ReadonlyMap<Expr, { readonly value: SqlValue }>
}

interface DiffLeaf { readonly path: Path; readonly a: unknown; readonly b: unknown }

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === Array.prototype || proto === null
}

/** Where two plans differ, each a primitive leaf; null when they differ in anything else (the form, an object). */
export function diffLeaves(a: unknown, b: unknown, path: Array<string | number> = [], out: DiffLeaf[] = []): DiffLeaf[] | null {
  if (Object.is(a, b)) return out
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    const isLeaf = typeof a === typeof b && (typeof a === 'string' || typeof a === 'number' || typeof a === 'bigint' || typeof a === 'boolean')
    if (!isLeaf) return null
    out.push({ path: [...path], a, b })
    return out
  }
  if (!isPlain(a) || !isPlain(b) || Array.isArray(a) !== Array.isArray(b)) return null
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return null
  for (const key of keys) {
    if (!(key in b)) return null
    path.push(Array.isArray(a) ? Number(key) : key)
    const inner = diffLeaves((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path, out)
    path.pop()
    if (inner === null) return null
  }
  return out
}

/** `root` with the value at `path` replaced, copied along the path (the rest shared). */
function replaced(root: unknown, path: Path, value: unknown, depth = 0): unknown {
  if (depth === path.length) return value
  const copy = (Array.isArray(root) ? [...root] : { ...(root as object) }) as Record<string | number, unknown>
  const step = path[depth]!
  copy[step] = replaced(copy[step], path, value, depth + 1)
  return copy
}

function isStringConst(node: unknown): node is { readonly kind: 'Const'; readonly value: string } {
  if (typeof node !== 'object' || node === null || !('kind' in node) || node.kind !== 'Const') return false
  const { value, type } = node as unknown as { value: unknown; type: { name: string } }
  return typeof value === 'string' && (type.name === 'unknown' || type.name === 'text')
}

/**
 * The literal a Const holding `value` came from: its index when exactly one literal has that value and it varied;
 * -1 when none that varied has it (the Const stays as it is); null when several have it (which one is unknown).
 */
function slotOf(value: string, values: ReadonlyArray<string | null>, varied: ReadonlyArray<boolean>): number | null {
  let found = -1
  let count = 0
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== value) continue
    count++
    if (varied[i]) found = i
  }
  return found >= 0 && count > 1 ? null : found
}

/** The string Consts of varied literals in `expr` (null when one's value is ambiguous between literals). */
function constSlots(expr: Expr, values: ReadonlyArray<string | null>, varied: ReadonlyArray<boolean>): ConstSlot[] | null {
  const found: ConstSlot[] = []
  for (const { path, node } of nodesWhere(expr, isStringConst)) {
    const slot = slotOf(node.value, values, varied)
    if (slot === null) return null
    if (slot >= 0) found.push({ valuePath: [...path, 'value'], slot })
  }
  return found
}

/** The leaf `derive` makes from `values` (undefined when its fold gives nothing; throws what the fold throws). */
function derived(derive: Derivation, values: ReadonlyArray<string | null>, fold: Folder): unknown {
  if (derive.kind === 'literal') return values[derive.slot]
  let expr: unknown = derive.expr
  for (const { valuePath, slot } of derive.consts) expr = replaced(expr, valuePath, values[slot])
  return fold(expr as Expr)?.value
}

/** The derivation that makes the two samples' leaves at one differing place, or null. */
function derivationOf(diff: DiffLeaf, first: PlanSample, second: PlanSample, varied: ReadonlyArray<boolean>,
  dependent: ReadonlyMap<Expr, ConstSlot[]>, fold: Folder): Derivation | null {
  const parent = valueAt(first.plan, diff.path.slice(0, -1))
  if (diff.path.at(-1) === 'value' && isStringConst(parent)) {
    const slot = slotOf(parent.value, first.values, varied)
    return slot !== null && slot >= 0 && second.values[slot] === diff.b ? { kind: 'literal', slot } : null
  }
  for (const [expr, consts] of dependent) {
    if (!Object.is(first.folds.get(expr)!.value, diff.a)) continue
    const derive: Derivation = { kind: 'fold', expr, consts }
    try {
      if (Object.is(derived(derive, second.values, fold), diff.b)) return derive
    } catch {
      // This expression does not make the leaf for the second values; another may.
    }
  }
  return null
}

/** A ShapePlan from two samples of one shape whose string literals differ, or null when the checks above fail. */
export function makeShapePlan(first: PlanSample, second: PlanSample, isString: ReadonlyArray<boolean>, fold: Folder): ShapePlan | null {
  const varied = first.values.map((value, i) => value !== second.values[i])
  if (varied.some((isVaried, i) => isVaried && !isString[i])) return null
  const diffs = diffLeaves(first.plan, second.plan)
  if (diffs === null) return null
  const dependent = new Map<Expr, ConstSlot[]>()
  for (const expr of first.folds.keys()) {
    const consts = constSlots(expr, first.values, varied)
    if (consts === null) return null
    if (consts.length > 0) dependent.set(expr, consts)
  }
  const leaves: Leaf[] = []
  const usedSlots = new Set<number>()
  const usedFolds = new Set<Expr>()
  for (const diff of diffs) {
    const derive = derivationOf(diff, first, second, varied, dependent, fold)
    if (derive === null) return null
    if (derive.kind === 'literal') usedSlots.add(derive.slot)
    else {
      usedFolds.add(derive.expr)
      for (const { slot } of derive.consts) usedSlots.add(slot)
    }
    leaves.push({ path: diff.path, derive, sample: diff.a })
  }
  const isCovered = varied.every((isVaried, i) => !isVaried || usedSlots.has(i)) && [...dependent.keys()].every((expr) => usedFolds.has(expr))
  return isCovered ? { plan: first.plan, values: first.values, varied, leaves, trie: pathTrie(leaves.map((leaf) => leaf.path)) } : null
}

/** Same class as the sample: a planner's choice on a value (finite? integer? null?) went the same way. */
function isSameClass(sample: unknown, value: unknown): boolean {
  if (typeof sample !== typeof value) return false
  return typeof sample !== 'number' || (Number.isFinite(sample) === Number.isFinite(value) && Number.isInteger(sample) === Number.isInteger(value as number))
}

/** The shape's plan with `values` bound into it, or null when they cannot be (plan afresh). */
export function boundShapePlan(shape: ShapePlan, values: ReadonlyArray<string | null>, fold: Folder): PlanNode | null {
  for (let i = 0; i < values.length; i++) if (!shape.varied[i] && values[i] !== shape.values[i]) return null
  const leafValues: unknown[] = []
  for (const leaf of shape.leaves) {
    let value: unknown
    try {
      value = derived(leaf.derive, values, fold)
    } catch {
      return null // a fresh plan raises its own error for this value
    }
    if (!isSameClass(leaf.sample, value)) return null
    leafValues.push(value)
  }
  return leafValues.length === 0 ? shape.plan : copiedAlong(shape.plan, shape.trie, (_, index) => leafValues[index]) as PlanNode
}
