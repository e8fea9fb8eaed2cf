// sql/parse/ast: nodedb's own SQL AST, the only parsed form the rest of sql/ sees. Closed unions with `kind`;
// positions are 0-based offsets into the whole Query text (errors report them 1-based). Knows nothing of node-sql-parser.

export type SqlBinaryOp = '+' | '-' | '*' | '/' | '%' | '=' | '<>' | '<' | '<=' | '>' | '>=' | 'and' | 'or' | '||'

/** A type name as written: lower-cased base name plus its modifiers (varchar(20) → { name: 'varchar', args: [20] }). */
export interface SqlTypeName {
  readonly name: string
  readonly args: ReadonlyArray<number>
}

export type SqlExpr =
  | { readonly kind: 'ExprColumn'; readonly name: string; readonly table: string | null; readonly pos: number }
  | { readonly kind: 'ExprStar'; readonly pos: number }
  | { readonly kind: 'ExprNumber'; readonly text: string; readonly pos: number }
  | { readonly kind: 'ExprString'; readonly value: string; readonly pos: number }
  | { readonly kind: 'ExprBool'; readonly value: boolean; readonly pos: number }
  | { readonly kind: 'ExprNull'; readonly pos: number }
  | { readonly kind: 'ExprParam'; readonly index: number; readonly pos: number }
  | { readonly kind: 'ExprInterval'; readonly text: string; readonly pos: number }
  | { readonly kind: 'ExprBinary'; readonly op: SqlBinaryOp; readonly left: SqlExpr; readonly right: SqlExpr; readonly pos: number }
  | { readonly kind: 'ExprUnary'; readonly op: '-' | 'not'; readonly expr: SqlExpr; readonly pos: number }
  | { readonly kind: 'ExprCall'; readonly name: string; readonly args: ReadonlyArray<SqlExpr>; readonly distinct: boolean; readonly pos: number }
  | { readonly kind: 'ExprCast'; readonly expr: SqlExpr; readonly type: SqlTypeName; readonly pos: number }
  | { readonly kind: 'ExprIn'; readonly expr: SqlExpr; readonly list: ReadonlyArray<SqlExpr>; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'ExprBetween'; readonly expr: SqlExpr; readonly low: SqlExpr; readonly high: SqlExpr; readonly negated: boolean; readonly pos: number }
  | { readonly kind: 'ExprIsNull'; readonly expr: SqlExpr; readonly negated: boolean; readonly pos: number }

export type SqlExprKind = SqlExpr['kind']

export interface SqlColumnDef {
  readonly name: string
  readonly type: SqlTypeName
  readonly notNull: boolean
  readonly pos: number
}

export interface SqlCreateTable {
  readonly kind: 'SqlCreateTable'
  readonly name: string
  readonly ifNotExists: boolean
  readonly columns: ReadonlyArray<SqlColumnDef>
}

export interface SqlInsert {
  readonly kind: 'SqlInsert'
  readonly table: string
  readonly tablePos: number
  /** null when the statement lists no columns (all, in catalog order). */
  readonly columns: ReadonlyArray<{ readonly name: string; readonly pos: number }> | null
  readonly rows: ReadonlyArray<ReadonlyArray<SqlExpr>>
}

export interface SqlSelectItem {
  readonly expr: SqlExpr
  readonly alias: string | null
}

export interface SqlOrderItem {
  readonly expr: SqlExpr
  readonly descending: boolean
  /** null: PostgreSQL's default (NULLS LAST for ASC, FIRST for DESC). */
  readonly nullsFirst: boolean | null
}

export interface SqlSelect {
  readonly kind: 'SqlSelect'
  readonly items: ReadonlyArray<SqlSelectItem>
  readonly from: { readonly table: string; readonly alias: string | null; readonly pos: number } | null
  readonly where: SqlExpr | null
  readonly groupBy: ReadonlyArray<SqlExpr>
  readonly orderBy: ReadonlyArray<SqlOrderItem>
  readonly limit: SqlExpr | null
  readonly offset: SqlExpr | null
}

export interface SqlSet { readonly kind: 'SqlSet'; readonly name: string; readonly value: string }
export interface SqlShow { readonly kind: 'SqlShow'; readonly name: string }
export interface SqlTransaction { readonly kind: 'SqlTransaction'; readonly action: 'begin' | 'commit' | 'rollback' }
export interface SqlDiscard { readonly kind: 'SqlDiscard' }

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

export type SqlStatement =
  | SqlCreateTable | SqlInsert | SqlSelect | SqlSet | SqlShow | SqlTransaction | SqlDiscard | SqlAlterTableOptions

/** What PreparedStatement.parsed holds. */
export interface ParsedStatement {
  readonly kind: 'ParsedStatement'
  readonly ast: SqlStatement
  readonly paramCount: number
}
