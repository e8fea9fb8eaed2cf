// sql/parse/literal-template: one parse reused for every Query text of the same shape — equal but for its literals'
// values (TSBS, dashboards and ORMs that inline values send a new text per query). A template is the parse of one
// such text with the AST node of each literal found; another text of its shape gets that parse with the new values
// put into those nodes (the paths to them copied, the rest shared), which is exactly what libpg-query and the adapter
// would give, because:
// - the shape (literal-scan.ts) keeps every character but the literals, and each literal's lexer class (string,
//   integer within int4, float) and length, so the lexer sees the same tokens at the same offsets: every position in
//   the tree is the same;
// - a literal becomes a slot only when exactly one ExprString / ExprNumber node sits at its offset holding its value
//   as the adapter writes it (an integer as its value's digits, a float as written, a string unquoted); the others
//   (a typmod, a negated number, an interval field) must be spelled the same in a text to use the template;
// - when the template is made, a probe text with every slot's value changed (same class, same length) is parsed too,
//   and its tree must differ from the template's in those slots' values and nowhere else: no value is copied into
//   another node or decides the tree's form.
// Only single SELECT statements are templated. A shape gets a template the second time it is seen (the probe parse
// costs one more parse), so one-off texts pay nothing.
import type { ParsedSlice } from './parse-sql.js'
import { numberKind, type LiteralToken, type ScannedText } from './literal-scan.js'
import { copiedAlong, nodesWhere, pathTrie, valueAt, type PathTrie } from './tree-paths.js'

type Path = ReadonlyArray<string | number>

export interface LiteralTemplate {
  readonly shape: string
  /** Per literal of the shape: null for a slot, else the text it must be spelled with. */
  readonly fixedTexts: ReadonlyArray<string | null>
  /** The paths from the statement's ast to its slots' nodes. */
  readonly trie: PathTrie
  readonly slice: ParsedSlice
  /** Where the statement's own text (ParsedSlice.text) sits in the Query text. */
  readonly textStart: number
  readonly textEnd: number
}

/** The value the adapter keeps for a literal token: ExprString.value or ExprNumber.text. */
function literalValue(text: string, token: LiteralToken): string {
  const written = text.slice(token.start, token.end)
  if (token.kind === 'string') return written.slice(1, -1).replaceAll("''", "'")
  return token.kind === 'integer' ? String(Number(written)) : written
}

interface FoundNode { readonly path: Path; readonly node: { readonly kind: string; readonly pos: number } }

function isLiteralNode(value: object): value is { readonly kind: 'ExprString' | 'ExprNumber'; readonly pos: number } {
  return 'kind' in value && (value.kind === 'ExprString' || value.kind === 'ExprNumber') && 'pos' in value
}

/** Every ExprString / ExprNumber node under `root`, by position. */
function literalNodes(root: unknown): Map<number, FoundNode[]> {
  const found = new Map<number, FoundNode[]>()
  for (const { path, node } of nodesWhere(root, isLiteralNode)) {
    const list = found.get(node.pos) ?? []
    list.push({ path, node })
    found.set(node.pos, list)
  }
  return found
}

function nodeValue(node: object): unknown {
  return 'value' in node ? node.value : 'text' in node ? node.text : undefined
}

function kindOf(token: LiteralToken): string {
  return token.kind === 'string' ? 'ExprString' : 'ExprNumber'
}

/** The path to the one node holding `token`'s value, or null (the literal is then fixed text). */
function slotPath(text: string, token: LiteralToken, nodes: Map<number, FoundNode[]>): Path | null {
  const value = literalValue(text, token)
  const matches = (nodes.get(token.start) ?? []).filter((found) => found.node.kind === kindOf(token) && nodeValue(found.node) === value)
  return matches.length === 1 ? matches[0]!.path : null
}

/** The same literal with every character of its value changed, same class and length (null when there is none). */
function probeLiteral(written: string, token: LiteralToken): string | null {
  if (token.kind === 'string') return `'${written.slice(1, -1).replace(/[^]/g, (c) => (c === 'x' ? 'y' : 'x'))}'`
  const probe = written.replace(/[0-9]/g, (d) => (d === '9' ? '8' : String(Number(d) + 1)))
  return numberKind(probe) === token.kind ? probe : null
}

/** `text` with the slots' literals replaced by `values` (the others kept). */
function spliced(text: string, literals: ReadonlyArray<LiteralToken>, slots: ReadonlyArray<Path | null>, values: ReadonlyArray<string>): string {
  let out = ''
  let copiedTo = 0
  literals.forEach((token, i) => {
    if (slots[i] === null) return
    out += text.slice(copiedTo, token.start) + values[i]
    copiedTo = token.end
  })
  return out + text.slice(copiedTo)
}

/** True when `a` and `b` are equal plain data except at `skip` (the slot nodes of `a`, compared by the caller). */
export function isSameTree(a: unknown, b: unknown, skip: ReadonlySet<unknown>): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  if (skip.has(a)) return true
  const keys = Object.keys(a)
  if (keys.length !== Object.keys(b).length) return false
  return keys.every((key) => key in b && isSameTree((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], skip))
}

/** The probe: its tree must equal the template's but for each slot node's value, which must be the probe's. */
function isProbeExact(slice: ParsedSlice, probe: ParsedSlice, probeText: string, literals: ReadonlyArray<LiteralToken>,
  slots: ReadonlyArray<Path | null>): boolean {
  const skip = new Set<unknown>()
  for (const [i, path] of slots.entries()) {
    if (path === null) continue
    const mine = valueAt(slice.parsed.ast, path) as object
    const theirs = valueAt(probe.parsed.ast, path)
    if (typeof theirs !== 'object' || theirs === null) return false
    const expected = literalValue(probeText, literals[i]!)
    if (!isSameTree({ ...mine, value: 0, text: 0 }, { ...theirs, value: 0, text: 0 }, new Set()) || nodeValue(theirs) !== expected) return false
    skip.add(mine)
  }
  return probe.parsed.paramCount === slice.parsed.paramCount && isSameTree(slice.parsed.ast, probe.parsed.ast, skip)
}

/**
 * A template from `text`'s own parse, or null when the text does not make one (not a single SELECT, or the probe
 * shows a literal's value reaching anywhere but its node). `parse` parses a text the ordinary way.
 */
export function makeTemplate(text: string, scanned: ScannedText, slices: ReadonlyArray<ParsedSlice>,
  parse: (text: string) => ReadonlyArray<ParsedSlice>): LiteralTemplate | null {
  const slice = slices[0]
  if (slices.length !== 1 || slice === undefined || slice.parsed.ast.kind !== 'SqlQuery') return null
  const textStart = text.indexOf(slice.text)
  if (textStart < 0) return null
  const nodes = literalNodes(slice.parsed.ast)
  const slots = scanned.literals.map((token) => slotPath(text, token, nodes))
  const probes = scanned.literals.map((token, i) => (slots[i] === null ? '' : probeLiteral(text.slice(token.start, token.end), token)))
  if (probes.some((probe) => probe === null)) return null
  const probeText = spliced(text, scanned.literals, slots, probes as string[])
  let probe: ReadonlyArray<ParsedSlice>
  try {
    probe = parse(probeText)
  } catch {
    return null
  }
  const probeSlice = probe[0]
  if (probe.length !== 1 || probeSlice === undefined || probeSlice.text !== probeText.slice(textStart, textStart + slice.text.length)) return null
  if (!isProbeExact(slice, probeSlice, probeText, scanned.literals, slots)) return null
  const fixedTexts = scanned.literals.map((token, i) => (slots[i] === null ? text.slice(token.start, token.end) : null))
  return { shape: scanned.shape, fixedTexts, trie: pathTrie(slots), slice, textStart, textEnd: textStart + slice.text.length }
}

/** A template literal's node with a new value (its text, or an ExprString's value). */
function withValue(node: unknown, value: string | null): unknown {
  const literal = node as { readonly kind: string }
  return literal.kind === 'ExprString' ? { ...literal, value } : { ...literal, text: value }
}

/** `text`'s parse from `template` (same shape) and its slots' values, or null when a fixed literal is spelled differently. */
export function instantiate(template: LiteralTemplate, text: string, scanned: ScannedText):
  { readonly slices: ReadonlyArray<ParsedSlice>; readonly values: ReadonlyArray<string | null> } | null {
  const { fixedTexts } = template
  const values: Array<string | null> = []
  for (const [i, token] of scanned.literals.entries()) {
    const fixed = fixedTexts[i]
    if (fixed === undefined) return null
    if (fixed !== null && text.slice(token.start, token.end) !== fixed) return null
    values.push(fixed === null ? literalValue(text, token) : null)
  }
  const parsed = { ...template.slice.parsed, ast: copiedAlong(template.slice.parsed.ast, template.trie, (node, slot) => withValue(node, values[slot] ?? null)) as typeof template.slice.parsed.ast }
  return { slices: [{ text: text.slice(template.textStart, template.textEnd), parsed }], values }
}
