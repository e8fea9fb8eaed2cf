// sql/parse/adapter: the ONLY file that calls libpg-query (PostgreSQL 18's own parser, compiled to WebAssembly). Its
// JSON enters as `unknown`; the adapt-*.ts files narrow it node by node into our SqlStatement and refuse (0A000, with
// a position) whatever they do not know. Nothing of the library's types leaks out of sql/parse.
import { hasSqlDetails, loadModule, parseSync } from 'libpg-query'
import { assert } from '../../src/common/assert.js'
import { programLimitExceeded, syntaxError } from '../../src/common/errors.js'
import { SQL_PARSE_NESTING_MAX_COUNT } from '../../src/common/limits.js'
import type { SqlStatement } from './ast.js'
import { type AdaptContext, ByteOffsets, isNode, list, num, unsupported } from './adapt-node.js'
import { adaptQuery } from './adapt-query.js'
import { adaptStatement } from './adapt-statement.js'
import { nestingBound } from './nesting-bound.js'

export interface AdaptedStatement {
  /** The statement's own text (trimmed, without its semicolon). */
  readonly text: string
  readonly ast: SqlStatement
  /** The highest $n the statement uses (0 for none). */
  readonly paramCount: number
}

let loading: Promise<void> | null = null
let isLoaded = false

/**
 * Statements of the common shapes (filters, time buckets, aggregates, grouping, ordering, DISTINCT ON, joins, CTEs,
 * writes, session commands) parsed once the module is loaded. V8 compiles the parser's WebAssembly lazily, function
 * by function, then recompiles its hot functions with TurboFan on background threads: measured on this machine,
 * ~300 ms of CPU spread over the first few statements a server parses (the first alone waited 30-60 ms). Parsing
 * these few texts as the module loads (at the first connection or write) pays most of that before the first client's
 * statements, one text per event-loop turn; they touch no table, cache or session.
 */
const WARM_UP_STATEMENTS: ReadonlyArray<string> = [
  "SELECT time_bucket('1 minute', ts) AS m, k, count(*), avg(v), max(w) FROM t WHERE k IN ('a', 'b') AND ts >= '2020-01-01 00:00:00+00' AND ts < now() - interval '$ hour' GROUP BY m, k ORDER BY m DESC, k LIMIT 10",
  "SELECT date_trunc('hour', ts), min(v) FILTER (WHERE w > $) FROM t WHERE (k = 'x' OR v BETWEEN 1 AND 2) AND NOT w IS NULL GROUP BY 1 HAVING count(*) > 1 ORDER BY 1",
  "SELECT DISTINCT ON (k) k, ts, v FROM t WHERE ts > $1 ORDER BY k, ts DESC",
  "WITH r AS (SELECT k, max(v) AS top FROM t GROUP BY k) SELECT t.*, r.top, CASE WHEN v > $ THEN 'hi' ELSE 'lo' END FROM t JOIN r ON r.k = t.k WHERE t.v::int8 % 2 = 0",
  "INSERT INTO t (ts, k, v) VALUES ('2020-01-01', 'a', $), (now(), 'b', -1.5e3)",
  "SET TimeZone = 'UTC'; SHOW server_version; BEGIN; COMMIT",
]
const WARM_UP_ROUNDS_COUNT = 2

/**
 * Loads the WebAssembly module once; parseStatements is synchronous and needs it loaded. A server loads it when its
 * first pg connection opens, not at start (SqlFacade.parserLoading): compiling it and the warm-up's tier-up peak at
 * ~50 MiB of V8 compiler memory, which glibc keeps as ~40 MiB of an idle server's RSS (ARCHITECTURE.md, issue 10).
 */
export function loadParser(): Promise<void> {
  loading ??= loadModule().then(async () => {
    isLoaded = true
    for (let round = 0; round < WARM_UP_ROUNDS_COUNT; round++) {
      for (const text of WARM_UP_STATEMENTS) {
        parseStatements(text.replaceAll('$', String(round + 2)))
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
  })
  return loading
}

/** The module is loaded: parseStatements may run (the warm-up may still be going on, a text per turn). */
export function isParserLoaded(): boolean {
  return isLoaded
}

/** Whitespace and comments before a statement's first token (PostgreSQL's stmt_location includes them). */
const LEADING_BLANKS = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/

/** libpg-query's error position counts code points (0-based); ours count UTF-16 code units. */
function codePointsToUnits(text: string, codePoints: number): number {
  let units = 0
  for (let seen = 0; seen < codePoints && units < text.length; seen++) {
    units += (text.codePointAt(units) ?? 0) > 0xffff ? 2 : 1
  }
  return units
}

/** PostgreSQL's parse error → 42601 with PostgreSQL's own wording and 1-based position. */
function toSyntaxError(text: string, error: unknown): unknown {
  if (!hasSqlDetails(error) || error.sqlDetails === undefined) return error
  const { message, cursorPosition } = error.sqlDetails
  return syntaxError(message, codePointsToUnits(text, cursorPosition) + 1)
}

/**
 * Adapts libpg-query's parse result for `text` (exported for tests, which feed hand-made trees with unknown nodes).
 * Each RawStmt's stmt_location/stmt_len (UTF-8 bytes into the whole text; absent means 0 / "to the end") cut its text.
 */
export function adaptParseResult(text: string, result: unknown): AdaptedStatement[] {
  const offsets = new ByteOffsets(text)
  const stmts = isNode(result) ? list(result, 'stmts') : []
  return stmts.map((raw) => {
    const rawStmt = isNode(raw) ? raw : {}
    const startByte = num(rawStmt, 'stmt_location')
    const lengthBytes = num(rawStmt, 'stmt_len')
    const start = offsets.toChar(startByte)
    const end = lengthBytes === 0 ? text.length : offsets.toChar(startByte + lengthBytes)
    const slice = text.slice(start, end)
    const statementPos = start + (LEADING_BLANKS.exec(slice)?.[0].length ?? 0)
    const ctx: AdaptContext = { text, offsets, statementPos, adaptQuery, maxParam: 0, depth: 0 }
    if (rawStmt.stmt === undefined) return unsupported('this statement', statementPos)
    const ast = adaptStatement(ctx, rawStmt.stmt)
    return { text: slice.trim(), ast, paramCount: ctx.maxParam }
  })
}

/** Parses a whole Query text (any number of statements) into our AST; '' and comment-only text give []. */
export function parseStatements(text: string): AdaptedStatement[] {
  assert(isLoaded, 'sql/parse: loadParser() must be awaited before parsing')
  if (text === '') return []
  // libpg-query recurses over the tree; a stack overflow there leaves its module corrupt, so it must never happen.
  if (nestingBound(text) > SQL_PARSE_NESTING_MAX_COUNT) throw programLimitExceeded('statement is nested too deeply to parse')
  let result: unknown
  try {
    result = parseSync(text)
  } catch (error: unknown) {
    if (error instanceof RangeError) throw programLimitExceeded('statement is nested too deeply to parse')
    throw toSyntaxError(text, error)
  }
  return adaptParseResult(text, result)
}
