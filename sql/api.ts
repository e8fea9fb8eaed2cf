// sql/api: the facade wire uses. Text in, typed rows out; sql owns parsing, binding, planning, the catalog views and
// merging of partial results. Everything that crosses this boundary is plain data (no classes, no closures), so wire
// can be tested against recorded results. Errors are DbError (src/common/errors.ts) with a SQLSTATE.

/** A PostgreSQL RowDescription field. Type OIDs are PostgreSQL's built-in ones only (../shared/clients.md §4.1). */
export interface FieldDescription {
  readonly name: string
  /** OID of the table the column comes from, or 0 for an expression. */
  readonly tableOid: number
  /** attnum of that column, or 0. */
  readonly columnAttr: number
  readonly typeOid: number
  /** pg_type.typlen: -1 for variable length. */
  readonly typeSize: number
  /** atttypmod, -1 when none. */
  readonly typeModifier: number
}

/**
 * One value of a result row, its meaning given by the field's typeOid:
 * bool 16 → boolean; int2/int4/oid 21/23/26 → number; int8 20 → bigint; float4/float8 700/701 → number;
 * numeric 1700 → string (decimal text) or number; text-like 19/25/1042/1043 → string;
 * timestamp/timestamptz 1114/1184 → number of µs since the Unix epoch (UTC); date 1082 → number of days since epoch;
 * interval 1186 → number of µs. NULL is null.
 */
export type SqlValue = null | boolean | number | bigint | string

export type TransactionEffect = 'begin' | 'commit' | 'rollback'

export type StatementResult =
  | {
      readonly kind: 'RowsResult'
      readonly fields: ReadonlyArray<FieldDescription>
      readonly rows: ReadonlyArray<ReadonlyArray<SqlValue>>
      /** e.g. 'SELECT 3' */
      readonly commandTag: string
    }
  | {
      readonly kind: 'CommandResult'
      /** As PostgreSQL writes it: 'INSERT 0 3', 'CREATE TABLE', 'SET', 'BEGIN', ... */
      readonly commandTag: string
      readonly transaction?: TransactionEffect
      /** A SET that changed a parameter PostgreSQL reports with ParameterStatus. */
      readonly parameterStatus?: { readonly name: string; readonly value: string }
    }

/** A parsed statement, opaque to wire (plain data; safe to cache per session by name). */
export interface PreparedStatement {
  readonly kind: 'PreparedStatement'
  /** The statement's own SQL text (one statement of a multi-statement Query). */
  readonly text: string
  /** Number of $n parameters referenced (highest n). */
  readonly paramCount: number
  /**
   * Set for BEGIN/COMMIT/ROLLBACK (and their synonyms), so wire can tell, before running it, which statements a
   * failed transaction still accepts (PostgreSQL runs only COMMIT/ROLLBACK there; the rest get 25P02).
   */
  readonly transaction: TransactionEffect | null
  /** sql's own parsed form; wire must not look inside. */
  readonly parsed: unknown
}

export interface StatementDescription {
  /** Inferred (or declared) parameter type OIDs, one per $n. */
  readonly paramTypeOids: ReadonlyArray<number>
  /** null when the statement returns no rows (NoData). */
  readonly fields: ReadonlyArray<FieldDescription> | null
}

/** Per-connection state sql may read and change (SET/SHOW); wire owns its lifetime. */
export interface SessionContext {
  /** Lower-cased setting name → value. Starts with the startup packet's parameters and the reported defaults. */
  readonly settings: Map<string, string>
  readonly user: string
  readonly database: string
}

/** A parameter as received in Bind: string = text format, Uint8Array = binary format, null = SQL NULL. */
export type ParamValue = string | Uint8Array | null

export interface SqlFacade {
  /**
   * Parses a Query string into its statements, in order. [] for empty or comment-only text (EmptyQueryResponse).
   * Throws DbError (42601 with a position) when any statement fails to parse: nothing of the text runs then.
   */
  parse(text: string): ReadonlyArray<PreparedStatement>
  /** Parameter types and result shape without running the statement. `declaredParamOids` come from Parse (0 = infer). */
  describe(statement: PreparedStatement, declaredParamOids: ReadonlyArray<number>, session: SessionContext): Promise<StatementDescription>
  /** Runs one statement with its parameters (count must equal paramCount). Rejects with DbError. */
  execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, declaredParamOids: ReadonlyArray<number>, session: SessionContext): Promise<StatementResult>
}
