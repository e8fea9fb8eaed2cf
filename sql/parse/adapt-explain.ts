// sql/parse/adapt-explain: EXPLAIN's options as PostgreSQL's ExplainQuery reads them — ANALYZE, VERBOSE, COSTS,
// SETTINGS, BUFFERS, WAL, TIMING and SUMMARY as booleans (defGetBoolean: no value, true/false/on/off, 1/0; else
// 42601 "… requires a Boolean value"), FORMAT TEXT or JSON (XML and YAML are 0A000; another value 22023), an unknown
// option 42601, and WAL or an explicit TIMING without ANALYZE 22023. TIMING and SUMMARY default to ANALYZE's value.
import { DbError } from '../../src/common/errors.js'
import { SqlState } from '../../src/common/sqlstate.js'
import { type AdaptContext, type Node, list, loc, str, unsupported, wrapped } from './adapt-node.js'
import { definitionValue } from './adapt-table.js'

/** EXPLAIN's options; COSTS, VERBOSE, SETTINGS, BUFFERS and WAL print nothing of their own in nodedb. */
export interface ExplainOptions {
  readonly analyze: boolean
  readonly verbose: boolean
  readonly costs: boolean
  /** Per-operator times under ANALYZE (rows and loops are printed either way). */
  readonly timing: boolean
  /** Planning Time (and Execution Time under ANALYZE). */
  readonly summary: boolean
  readonly format: 'text' | 'json'
}
const BOOLEAN_OPTIONS = ['analyze', 'verbose', 'costs', 'settings', 'buffers', 'wal', 'timing', 'summary'] as const
type BooleanOption = (typeof BOOLEAN_OPTIONS)[number]

const explainError = (code: typeof SqlState[keyof typeof SqlState], message: string, position?: number): DbError =>
  new DbError({ severity: 'ERROR', code, message, ...(position === undefined ? {} : { position }) })

/** defGetBoolean: no value is true; true/false/on/off in any case, or the integers 1 and 0. */
function booleanValue(name: string, value: string | null): boolean {
  const lower = value?.toLowerCase()
  if (lower === 'true' || lower === 'on' || lower === '1') return true
  if (lower === 'false' || lower === 'off' || lower === '0') return false
  throw explainError(SqlState.syntaxError, `${name} requires a Boolean value`)
}

export function explainOptions(ctx: AdaptContext, node: Node): ExplainOptions {
  const given: Partial<Record<BooleanOption, boolean>> = {}
  let format: ExplainOptions['format'] = 'text'
  for (const value of list(node, 'options')) {
    const option = wrapped(value, 'DefElem') ?? {}
    const name = str(option, 'defname')
    const pos = loc(ctx, option, ctx.statementPos)
    if ((BOOLEAN_OPTIONS as ReadonlyArray<string>).includes(name)) {
      given[name as BooleanOption] = booleanValue(name, definitionValue(ctx, option))
    } else if (name === 'format') {
      const written = definitionValue(ctx, option) ?? ''
      const lower = written.toLowerCase()
      if (lower === 'xml' || lower === 'yaml') unsupported(`EXPLAIN (FORMAT ${lower.toUpperCase()})`, pos)
      if (lower !== 'text' && lower !== 'json') throw explainError(SqlState.invalidParameterValue, `unrecognized value for EXPLAIN option "format": "${written}"`, pos + 1)
      format = lower
    } else {
      throw explainError(SqlState.syntaxError, `unrecognized EXPLAIN option "${name}"`, pos + 1)
    }
  }
  const analyze = given.analyze ?? false
  if (given.wal === true && !analyze) throw explainError(SqlState.invalidParameterValue, 'EXPLAIN option WAL requires ANALYZE')
  if (given.timing === true && !analyze) throw explainError(SqlState.invalidParameterValue, 'EXPLAIN option TIMING requires ANALYZE')
  return {
    analyze, verbose: given.verbose ?? false, costs: given.costs ?? true, timing: given.timing ?? analyze,
    summary: given.summary ?? analyze, format,
  }
}
