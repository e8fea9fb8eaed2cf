// sql/parse/ast: nodedb's own SQL AST, the only parsed form the rest of sql/ sees. Closed unions with `kind`;
// positions are 0-based offsets into the whole Query text (errors report them 1-based). Knows nothing of libpg-query:
// sql/parse/adapter.ts narrows its JSON into these nodes and refuses (0A000, with a position) whatever has no node here.

/**
 * Operator names as PostgreSQL spells them (A_Expr's name): arithmetic '+', '-', '*', '/', '%', '^'; comparison '=',
 * '<>', '<', '<=', '>', '>='; text '||'; regex '~', '~*', '!~', '!~*'; and the logical 'and', 'or'. `!=` arrives as '<>'.
 * LIKE/ILIKE are ExprLike, IS DISTINCT FROM is ExprIsDistinct. Other operators are kept by name and the binder
 * resolves (or refuses with 42883) them.
 */
export type SqlBinaryOp = string

/**
 * A type name as written, canonicalised: lower-cased last name without the pg_catalog qualifier
 * (INT → 'int4', DOUBLE PRECISION → 'float8', TIMESTAMP WITH TIME ZONE → 'timestamptz', VARCHAR → 'varchar'),
 * plus its integer modifiers (varchar(20) → [20], numeric(10,2) → [10, 2]). `isArray` for `int[]`.
 */
export interface SqlTypeName {
  readonly name: string
  readonly args: ReadonlyArray<number>
  readonly isArray: boolean
}

export interface SqlOrderItem {
  readonly expr: SqlExpr
  readonly descending: boolean
  /** null: PostgreSQL's default (NULLS LAST for ASC, FIRST for DESC). */
  readonly nullsFirst: boolean | null
}

/** A window frame bound. `offset` is set for 'preceding' and 'following' with a value (n PRECEDING). */
export interface SqlFrameBound {
  readonly kind: 'unboundedPreceding' | 'preceding' | 'currentRow' | 'following' | 'unboundedFollowing'
  readonly offset: SqlExpr | null
}

export interface SqlWindowSpec {
  /** OVER w / OVER (w ORDER BY …): the named window this one refines, else null. */
  readonly refName: string | null
  readonly partitionBy: ReadonlyArray<SqlExpr>
  readonly orderBy: ReadonlyArray<SqlOrderItem>
  /** null: the default frame (RANGE UNBOUNDED PRECEDING to CURRENT ROW). EXCLUDE clauses are refused by the adapter. */
  readonly frame: { readonly mode: 'rows' | 'range' | 'groups'; readonly start: SqlFrameBound; readonly end: SqlFrameBound } | null
  readonly pos: number
}

export type SqlExpr =
  /** `names` is the qualified name, last part the column: ['host'], ['c', 'host'], ['public', 'cpu', 'host']. */
  | { readonly kind: 'ExprColumn'; readonly names: ReadonlyArray<string>; readonly pos: number }
  /** `*` or `t.*` (qualifier null for a bare star). Only valid in a select list and count(*). */
  | { readonly kind: 'ExprStar'; readonly qualifier: string | null; readonly pos: number }
  /** A numeric literal as written (integer, decimal or exponent form, never signed). */
  | { readonly kind: 'ExprNumber'; readonly text: string; readonly pos: number }
  /** A string literal (quotes and E'' escapes already resolved): type unknown until context gives it one. */
  | { readonly kind: 'ExprString'; readonly value: string; readonly pos: number }
  | { readonly kind: 'ExprBool'; readonly value: boolean; readonly pos: number }
  | { readonly kind: 'ExprNull'; readonly pos: number }
  /** $n, n ≥ 1. */
  | { readonly kind: 'ExprParam'; readonly index: number; readonly pos: number }
  | { readonly kind: 'ExprBinary'; readonly op: SqlBinaryOp; readonly left: SqlExpr; readonly right: SqlExpr; readonly pos: number }
  | { readonly kind: 'ExprUnary'; readonly op: string; readonly expr: SqlExpr; readonly pos: number }
  /**
   * A function call, aggregate or window function; lower-cased name, `schema` 'pg_catalog' or null. SQL-syntax
   * functions arrive under PostgreSQL's own names: extract(f FROM x) → extract('f', x); substring(x FROM a FOR b)
   * → substring(x, a, b); position(a IN b) → position(b, a); trim(BOTH FROM x) → btrim(x); x AT TIME ZONE z →
   * timezone(z, x); COALESCE → coalesce; GREATEST/LEAST → greatest/least; NULLIF(a, b) → nullif(a, b);
   * CURRENT_TIMESTAMP → current_timestamp(); CURRENT_DATE, LOCALTIMESTAMP, CURRENT_USER, SESSION_USER, USER,
   * CURRENT_SCHEMA, CURRENT_CATALOG likewise as zero-argument calls of that name.
   */
  | {
      readonly kind: 'ExprCall'
      readonly name: string
      readonly schema: string | null
      readonly args: ReadonlyArray<SqlExpr>
      /** count(*) */
      readonly star: boolean
      readonly distinct: boolean
      /** Aggregate FILTER (WHERE …). */
      readonly filter: SqlExpr | null
      /** Aggregate ORDER BY inside the call (string_agg(x, ',' ORDER BY y)), or WITHIN GROUP (ORDER BY …). */
      readonly orderBy: ReadonlyArray<SqlOrderItem>
      readonly withinGroup: boolean
      readonly over: SqlWindowSpec | null
      readonly pos: number
    }
  /** CAST(x AS t), x::t, and typed literals (timestamptz '…', interval '1 day', date '…'). */
  | { readonly kind: 'ExprCast'; readonly expr: SqlExpr; readonly type: SqlTypeName; readonly pos: number }
  | { readonly kind: 'ExprIn'; readonly expr: SqlExpr; readonly list: ReadonlyArray<SqlExpr>; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'ExprBetween'; readonly expr: SqlExpr; readonly low: SqlExpr; readonly high: SqlExpr; readonly negated: boolean; readonly symmetric: boolean; readonly pos: number }
  | { readonly kind: 'ExprIsNull'; readonly expr: SqlExpr; readonly negated: boolean; readonly pos: number }
  /** x IS [NOT] TRUE | FALSE | UNKNOWN. */
  | { readonly kind: 'ExprIsBool'; readonly expr: SqlExpr; readonly test: 'true' | 'false' | 'unknown'; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'ExprIsDistinct'; readonly left: SqlExpr; readonly right: SqlExpr; readonly negated: boolean; readonly pos: number }
  /** [NOT] LIKE / ILIKE, with an optional ESCAPE. */
  | { readonly kind: 'ExprLike'; readonly expr: SqlExpr; readonly pattern: SqlExpr; readonly escape: SqlExpr | null; readonly caseInsensitive: boolean; readonly negated: boolean; readonly pos: number }
  /** CASE [operand] WHEN … THEN … [ELSE …] END. */
  | { readonly kind: 'ExprCase'; readonly operand: SqlExpr | null; readonly whens: ReadonlyArray<{ readonly when: SqlExpr; readonly then: SqlExpr }>; readonly else: SqlExpr | null; readonly pos: number }
  /** (SELECT …) used as a value: one column, at most one row (21000 otherwise). */
  /** A scalar subquery, or with `asArray` ARRAY(subquery). */
  | { readonly kind: 'ExprSubquery'; readonly query: SqlQuery; readonly pos: number; readonly asArray?: boolean }
  | { readonly kind: 'ExprExists'; readonly query: SqlQuery; readonly pos: number }
  /** x [NOT] IN (SELECT …). */
  /** `row`: (a, b) [NOT] IN (SELECT x, y …), compared pairwise as PostgreSQL's row comparison (then `expr` is a). */
  | { readonly kind: 'ExprInSubquery'; readonly expr: SqlExpr; readonly query: SqlQuery; readonly negated: boolean; readonly pos: number; readonly row?: ReadonlyArray<SqlExpr> }
  /** x op ANY|ALL (SELECT …) or x op ANY|ALL (array expression). */
  | { readonly kind: 'ExprQuantified'; readonly op: SqlBinaryOp; readonly expr: SqlExpr; readonly quantifier: 'any' | 'all'; readonly query: SqlQuery | null; readonly array: SqlExpr | null; readonly pos: number }
  /** ARRAY[a, b, …]. */
  | { readonly kind: 'ExprArray'; readonly elements: ReadonlyArray<SqlExpr>; readonly pos: number }
  /** x[i] (1-based, as PostgreSQL). */
  | { readonly kind: 'ExprSubscript'; readonly expr: SqlExpr; readonly index: SqlExpr; readonly pos: number }
  /** x[lower:upper], either bound omitted (null). */
  | { readonly kind: 'ExprSlice'; readonly expr: SqlExpr; readonly lower: SqlExpr | null; readonly upper: SqlExpr | null; readonly pos: number }
  /** GROUPING(a, …): bit i set when argument i is not grouped in the row's grouping set. */
  | { readonly kind: 'ExprGrouping'; readonly args: ReadonlyArray<SqlExpr>; readonly pos: number }

export type SqlExprKind = SqlExpr['kind']
export type SqlCallExpr = Extract<SqlExpr, { kind: 'ExprCall' }>

export interface SqlSelectItem {
  readonly expr: SqlExpr
  /** AS alias (case-folded unless quoted); null when none was written. */
  readonly alias: string | null
  readonly pos: number
}

export type SqlFromItem =
  /** `schema` as written ('public', 'pg_catalog', …), null when unqualified; `columnAliases` (t AS x(a, b)) rename the first columns. */
  | { readonly kind: 'FromTable'; readonly schema: string | null; readonly name: string; readonly alias: string | null; readonly columnAliases: ReadonlyArray<string> | null; readonly pos: number }
  | { readonly kind: 'FromSubquery'; readonly query: SqlQuery; readonly alias: string | null; readonly columnAliases: ReadonlyArray<string> | null; readonly lateral: boolean; readonly pos: number }
  /** A function in FROM; `rowsFrom`: every call of ROWS FROM (f(…), g(…)) (`call` is the first); `ordinality`: WITH ORDINALITY. */
  | {
      readonly kind: 'FromFunction'; readonly call: SqlCallExpr; readonly alias: string | null; readonly columnAliases: ReadonlyArray<string> | null
      readonly lateral: boolean; readonly pos: number; readonly rowsFrom?: ReadonlyArray<SqlCallExpr>; readonly ordinality?: boolean
    }
  | {
      readonly kind: 'FromJoin'
      readonly type: 'inner' | 'left' | 'right' | 'full' | 'cross'
      readonly left: SqlFromItem
      readonly right: SqlFromItem
      /** ON condition; null for CROSS JOIN, USING and NATURAL. */
      readonly on: SqlExpr | null
      /** USING (a, b); for NATURAL the adapter leaves this null and sets natural. */
      readonly using: ReadonlyArray<string> | null
      readonly natural: boolean
      readonly pos: number
    }

export interface SqlSelectCore {
  readonly kind: 'SqlSelectCore'
  /** null: no DISTINCT; { on: [] }: DISTINCT; { on: [e…] }: DISTINCT ON (e…). */
  readonly distinct: { readonly on: ReadonlyArray<SqlExpr> } | null
  readonly items: ReadonlyArray<SqlSelectItem>
  /** Comma-separated FROM items (an implicit cross join), in order; [] without FROM. */
  readonly from: ReadonlyArray<SqlFromItem>
  readonly where: SqlExpr | null
  readonly groupBy: ReadonlyArray<SqlExpr>
  /** GROUPING SETS / ROLLUP / CUBE expanded (sql/parse/adapt-grouping.ts): indices into groupBy; null for plain GROUP BY. */
  readonly groupingSets: ReadonlyArray<ReadonlyArray<number>> | null
  readonly having: SqlExpr | null
  /** WINDOW w AS (…). */
  readonly windows: ReadonlyArray<{ readonly name: string; readonly spec: SqlWindowSpec }>
  readonly pos: number
}

export interface SqlSetOperation {
  readonly kind: 'SqlSetOperation'
  readonly op: 'union' | 'intersect' | 'except'
  readonly all: boolean
  readonly left: SqlQuery
  readonly right: SqlQuery
  readonly pos: number
}

/** VALUES (…), (…) as a query. */
export interface SqlValues {
  readonly kind: 'SqlValues'
  readonly rows: ReadonlyArray<ReadonlyArray<SqlExpr>>
  readonly pos: number
}

export interface SqlCommonTable {
  readonly name: string
  readonly columns: ReadonlyArray<string> | null
  readonly query: SqlQuery
  /** Defined under WITH RECURSIVE: it may read itself (non-recursive term UNION [ALL] recursive term). */
  readonly recursive: boolean
  readonly pos: number
}

/** A whole query expression: WITH, a body, then ORDER BY / LIMIT / OFFSET applying to the body's result. */
export interface SqlQuery {
  readonly kind: 'SqlQuery'
  readonly with: ReadonlyArray<SqlCommonTable>
  readonly body: SqlSelectCore | SqlSetOperation | SqlValues
  readonly orderBy: ReadonlyArray<SqlOrderItem>
  /** LIMIT n / FETCH FIRST n ROWS ONLY; null for none (LIMIT ALL). */
  readonly limit: SqlExpr | null
  readonly offset: SqlExpr | null
  readonly pos: number
}

export interface SqlColumnDef {
  readonly name: string
  readonly type: SqlTypeName
  readonly notNull: boolean
  readonly pos: number
  /** DEFAULT expr (absent without one): bound and stored by sql/exec/column-default.ts. */
  readonly default?: SqlExpr
}
/** DEFAULT in a VALUES row. */ export interface SqlInsertDefault { readonly kind: 'InsertDefault'; readonly pos: number }

/** CREATE TABLE; `options` from WITH (name = value, …): value text with quotes removed, lower-cased name. */
export interface SqlCreateTable {
  readonly kind: 'SqlCreateTable'
  readonly name: string
  readonly ifNotExists: boolean
  readonly columns: ReadonlyArray<SqlColumnDef>
  readonly options: ReadonlyArray<{ readonly name: string; readonly value: string | null }>
}

export interface SqlInsert {
  readonly kind: 'SqlInsert'
  readonly table: string
  readonly tablePos: number
  /** null when the statement lists no columns (all, in catalog order). */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly pos: number }> | null
  /** VALUES rows (the fast path's too), DEFAULT as InsertDefault; DEFAULT VALUES is one empty row with `columns` []. */
  readonly rows: ReadonlyArray<ReadonlyArray<SqlExpr | SqlInsertDefault>>
  /** INSERT … SELECT (or any query other than plain VALUES): set instead of rows (rows is then []). */
  readonly query: SqlQuery | null
  /** RETURNING's select list over the inserted rows; absent without one. */
  readonly returning?: ReadonlyArray<SqlSelectItem>
}

/**
 * SET [LOCAL] name = value[, …] / TO DEFAULT, RESET name, RESET ALL (name 'all'). `value` is the items joined with
 * ', ' (null: back to the default); `items` keeps them apart for list settings (search_path quotes each one).
 */
export interface SqlSet {
  readonly kind: 'SqlSet'
  readonly name: string
  readonly value: string | null
  readonly items: ReadonlyArray<string>
  readonly isLocal: boolean
  /** Written as RESET (the command tag is RESET rather than SET). */
  readonly isReset: boolean
}
/** DEALLOCATE [PREPARE] name | ALL (name null). */
export interface SqlDeallocate { readonly kind: 'SqlDeallocate'; readonly name: string | null }
export interface SqlShow { readonly kind: 'SqlShow'; readonly name: string }
export interface SqlTransaction { readonly kind: 'SqlTransaction'; readonly action: 'begin' | 'commit' | 'rollback' }
export interface SqlDiscard { readonly kind: 'SqlDiscard' }
/** CLOSE name | ALL (name null): closes portals (DECLAREd cursors and the protocol's named portals). */
export interface SqlClose { readonly kind: 'SqlClose'; readonly name: string | null }
/** LISTEN channel, NOTIFY channel [, 'payload'], UNLISTEN channel | * (channel null): sql/exec/notifications.ts. */
export interface SqlNotification { readonly kind: 'SqlNotification'; readonly action: 'LISTEN' | 'NOTIFY' | 'UNLISTEN'; readonly channel: string | null; readonly payload: string }
/** CHECKPOINT: flushes every memtable into segments (PostgreSQL's statement of the same name forces a checkpoint). */
export interface SqlCheckpoint { readonly kind: 'SqlCheckpoint' }
/** EXPLAIN [ANALYZE] query. */
export interface SqlExplain { readonly kind: 'SqlExplain'; readonly options: import('./adapt-explain.js').ExplainOptions; readonly query: SqlQuery }

/**
 * ALTER TABLE [IF EXISTS] t SET (name = value, ...) | RESET (name, ...). `value` is the option's text (quotes
 * removed; 'true' when SET names no value, as PostgreSQL reads it); null for RESET or an unquoted NULL.
 */
export interface SqlAlterTableOptions {
  readonly kind: 'SqlAlterTableOptions'
  readonly table: string
  readonly ifExists: boolean
  readonly options: ReadonlyArray<{ readonly name: string; readonly value: string | null }>
}

/** A table named by DROP TABLE or TRUNCATE, with its 0-based position in the text. */
export interface SqlTableRef { readonly name: string; readonly pos: number }

/** DROP TABLE | VIEW [IF EXISTS] t [, …] [CASCADE | RESTRICT]: views are the only dependent objects. */
export interface SqlDropTable {
  readonly kind: 'SqlDropTable'
  readonly objectKind: 'table' | 'view'
  readonly tables: ReadonlyArray<SqlTableRef>
  readonly ifExists: boolean
  readonly cascade: boolean
}

/** CREATE [OR REPLACE] VIEW v [(names)] AS query: the query as parsed and as written (what the catalog keeps). */
export interface SqlCreateView {
  readonly kind: 'SqlCreateView'
  readonly name: string
  readonly pos: number
  readonly columnNames: ReadonlyArray<string> | null
  readonly query: SqlQuery
  readonly queryText: string
  readonly orReplace: boolean
}

/** TRUNCATE [TABLE] [ONLY] t [, …] [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT]: no sequences, no dependents. */
export interface SqlTruncate { readonly kind: 'SqlTruncate'; readonly tables: ReadonlyArray<SqlTableRef> }

/** One column action of ALTER TABLE, in the order written. */
export type SqlAlterColumnAction =
  | { readonly kind: 'AddColumn'; readonly column: SqlColumnDef; readonly ifNotExists: boolean }
  | { readonly kind: 'DropColumn'; readonly name: string; readonly ifExists: boolean; readonly cascade: boolean }
  | /** ALTER COLUMN c SET DEFAULT e / DROP DEFAULT (null). */ { readonly kind: 'SetDefault'; readonly name: string; readonly default: SqlExpr | null; readonly pos: number }

/** ALTER TABLE [IF EXISTS] t ADD [COLUMN] … / DROP [COLUMN] …, several separated by commas. */
export interface SqlAlterTableColumns {
  readonly kind: 'SqlAlterTableColumns'
  readonly table: string
  readonly tablePos: number
  readonly ifExists: boolean
  readonly actions: ReadonlyArray<SqlAlterColumnAction>
}

/** ALTER TABLE [IF EXISTS] t RENAME TO u (`column` null) or RENAME [COLUMN] a TO b. */
export interface SqlRename {
  readonly kind: 'SqlRename'
  readonly table: string
  readonly tablePos: number
  readonly ifExists: boolean
  readonly column: string | null
  readonly newName: string
}

/**
 * A COPY option as libpg-query hands it over, old spellings (`WITH CSV HEADER`) already turned into the new ones:
 * `text` for a word, string, number or Boolean; `list` for (a, b); `star` for *; `none` when no value was written.
 */
export type SqlCopyOptionValue =
  | { readonly kind: 'none' } | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'list'; readonly items: ReadonlyArray<string> } | { readonly kind: 'star' }

export interface SqlCopyOption { readonly name: string; readonly value: SqlCopyOptionValue; readonly pos: number }

/** COPY t [(cols)] FROM STDIN | TO STDOUT, or COPY (query) TO STDOUT (files and programs are refused by the adapter). */
export interface SqlCopy {
  readonly kind: 'SqlCopy'
  /** null for COPY (query) TO. */
  readonly table: SqlTableRef | null
  readonly columns: ReadonlyArray<{ readonly name: string; readonly pos: number }> | null
  readonly query: SqlQuery | null
  readonly isFrom: boolean
  readonly options: ReadonlyArray<SqlCopyOption>
}

/** DELETE FROM [ONLY] t [[AS] alias] [WHERE …]: `where` null deletes every row; `wherePos` is the WHERE's position. */
export interface SqlDelete {
  readonly kind: 'SqlDelete'
  readonly table: string
  readonly tablePos: number
  readonly alias: string | null
  readonly where: SqlExpr | null
  readonly wherePos: number
}

/** PREPARE name [(types)] AS statement: `statement` has its own $n (PREPARE itself takes no parameters). */
export interface SqlPrepare {
  readonly kind: 'SqlPrepare'
  readonly name: string
  readonly paramTypes: ReadonlyArray<SqlTypeName>
  readonly statement: ParsedStatement
  readonly pos: number
}

/** EXECUTE name [(args)]: constant expressions (no $n: PostgreSQL gives utility statements no parameters). */
export interface SqlExecute {
  readonly kind: 'SqlExecute'
  readonly name: string
  readonly args: ReadonlyArray<SqlExpr>
  /** The highest $n among the arguments (0: none); any is 42P02 when EXECUTE runs. */
  readonly argParamMax: number
  readonly pos: number
}

/** DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH | WITHOUT HOLD] FOR query (SCROLL is refused by the adapter). */
export interface SqlDeclareCursor {
  readonly kind: 'SqlDeclareCursor'
  readonly name: string
  readonly isBinary: boolean
  readonly isHold: boolean
  readonly query: SqlQuery
}

/** FETCH / MOVE [FORWARD] [n | ALL] [FROM | IN] cursor: `count` null for ALL (backward directions are refused). */
export interface SqlFetch { readonly kind: 'SqlFetch'; readonly cursor: string; readonly count: number | null; readonly isMove: boolean }

/** SAVEPOINT name, RELEASE [SAVEPOINT] name, ROLLBACK TO [SAVEPOINT] name. */
export interface SqlSavepoint { readonly kind: 'SqlSavepoint'; readonly action: 'savepoint' | 'release' | 'rollbackTo'; readonly name: string }

export type SqlStatement =
  | SqlCreateTable | SqlInsert | SqlQuery | SqlSet | SqlShow | SqlTransaction | SqlDiscard | SqlAlterTableOptions
  | SqlCheckpoint | SqlExplain | SqlDropTable | SqlTruncate | SqlAlterTableColumns | SqlRename | SqlDeallocate | SqlCopy | SqlClose | SqlNotification
  | SqlDelete | SqlPrepare | SqlExecute | SqlDeclareCursor | SqlFetch | SqlSavepoint | SqlCreateView

/** What PreparedStatement.parsed holds. */
export interface ParsedStatement {
  readonly kind: 'ParsedStatement'
  readonly ast: SqlStatement
  readonly paramCount: number
}
