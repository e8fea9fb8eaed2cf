// sql/functions/function-def: the contract of every built-in function and operator nodedb knows, as PostgreSQL
// names and types them. One registry (registry.ts) holds them all; the binder resolves overloads against it and the
// evaluator calls `evaluate`. Each definition's semantics exist once, here, for every place that runs expressions.
import type { BackendDirectory, SqlValue } from '../api.js'
import type { PgTypeName, SqlType } from '../bind/types.js'
import type { CatalogLookup } from '../catalog/catalog-lookup.js'
import type { Sleeper } from './sleep-functions.js'

/** What a function may read besides its arguments. */
export interface FunctionContext {
  /** The session's TimeZone setting, an IANA name ('UTC', 'Europe/Berlin') or a POSIX-style offset. */
  readonly timeZone: string
  /** Statement start in µs since the Unix epoch: now() and CURRENT_TIMESTAMP are stable within a statement. */
  readonly nowUs: number
  /** Session settings, lower-cased names (current_setting, version, …). */
  readonly settings: ReadonlyMap<string, string>
  /** Name ↔ OID resolution for reg* casts; absent where no engine is at hand (then reg* names are 42704). */
  readonly catalog?: CatalogLookup
  /** Where pg_sleep books its delay for the executor to await; absent outside a running query. */
  readonly sleeper?: Sleeper
  /** The session's BackendKeyData pid (pg_backend_pid); absent outside a session. */
  readonly backendPid?: number
  /** The other sessions, for pg_cancel_backend / pg_terminate_backend; absent outside a session. */
  readonly backends?: BackendDirectory
  /** Runs `release` when the session's transaction ends (pg_advisory_xact_lock's hold); absent outside a session. */
  readonly atTransactionEnd?: (release: () => void) => void
  /** pg_notify (sent at the transaction's COMMIT) and pg_listening_channels (sql/exec/notifications.ts); absent outside a session. */
  readonly notifications?: { notify(channel: string, payload: string): void; channels(): string[] }
  /**
   * set_config(name, value, is_local): SET (SET LOCAL) in the session, returning the value as SHOW prints it; a NULL
   * value resets. Absent outside a session.
   */
  readonly setSetting?: (name: string, value: string | null, isLocal: boolean) => string
}

/**
 * A scalar function or operator. Operators are registered under their symbol ('+', '||', '~', …) with one argument
 * (prefix) or two. The binder picks an overload by PostgreSQL's rules (exact match first, then implicit casts,
 * preferring the category's preferred type) and casts the arguments to `args` before calling.
 */
export interface ScalarFunction {
  readonly name: string
  readonly args: ReadonlyArray<PgTypeName>
  /** When set, any number (≥ 0) of further arguments of this type may follow `args` (concat, concat_ws, format). */
  readonly variadic?: PgTypeName | 'any'
  /** Result type: fixed, or computed from the argument types after resolution (e.g. keeping a typmod). */
  readonly result: PgTypeName | ((args: ReadonlyArray<SqlType>) => SqlType)
  /** STRICT: a NULL argument makes the result NULL without calling evaluate. */
  readonly strict: boolean
  /** 'volatile' functions (random) are never folded at plan time; 'stable' ones only per statement. */
  readonly volatility: 'immutable' | 'stable' | 'volatile'
  /**
   * Computes the value. Arguments arrive already cast to `args` (see SqlValue in sql/api.ts for representations).
   * Throws DbError with PostgreSQL's SQLSTATE (22012, 22003, 22023, 2201F, …) for data errors.
   */
  readonly evaluate: (args: ReadonlyArray<SqlValue>, ctx: FunctionContext) => SqlValue
  /**
   * Instead of evaluate, for functions whose 'any' arguments print by their own type (to_json, json_build_object):
   * called with the arguments' types, and those arguments are not cast to text first.
   */
  readonly evaluateTyped?: (args: ReadonlyArray<SqlValue>, types: ReadonlyArray<SqlType>, ctx: FunctionContext) => SqlValue
}

/**
 * An aggregate. The control side creates one state per group, calls `step` per input row (after FILTER, and after
 * DISTINCT de-duplication when the call says DISTINCT), then `finish`. `combine` merges two states (partials of
 * several cores or batches); aggregates without it run in one place. States must not hold per-row objects where a
 * running number suffices.
 */
export interface AggregateFunction<State = unknown> {
  readonly name: string
  /** Argument types; [] with `star` for count(*). */
  readonly args: ReadonlyArray<PgTypeName | 'any'>
  readonly result: PgTypeName | ((args: ReadonlyArray<SqlType>) => SqlType)
  /** True when NULL arguments are skipped (every standard aggregate but count(*) and array_agg). */
  readonly skipsNulls: boolean
  /** percentile_cont/percentile_disc: the direct argument (the fraction) comes first, the ordered input after. */
  readonly orderedSet?: boolean
  readonly create: () => State
  readonly step: (state: State, args: ReadonlyArray<SqlValue>) => State
  readonly combine?: (a: State, b: State) => State
  /** The result; ctx for what prints through the session (array_agg's timestamptz elements). */
  readonly finish: (state: State, argTypes: ReadonlyArray<SqlType>, ctx: FunctionContext) => SqlValue
}
