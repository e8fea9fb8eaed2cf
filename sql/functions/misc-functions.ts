// sql/functions/misc-functions: session and system information functions (version, current_setting,
// set_config, current_database, current_user, num_nulls, pg_advisory_unlock_all, gen_random_uuid). They read the FunctionContext, never globals. now() and the other
// clocks live in time-functions.ts.
import { randomUUID } from 'node:crypto'
import { featureNotSupportedMessage, nullValueNotAllowed, undefinedObject } from '../../src/common/errors.js'
import { NODEDB_VERSION } from '../../src/common/version.js'
import type { SqlValue } from '../api.js'
import type { PgTypeName } from '../bind/types.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'

/** version()'s text: PostgreSQL's shape, so tools that parse it see 15.0. */
export const SERVER_VERSION_TEXT = `PostgreSQL 15.0 (nodedb ${NODEDB_VERSION}) on x86_64-pc-linux-gnu, compiled by Node.js, 64-bit`

type Evaluate = (args: ReadonlyArray<SqlValue>, ctx: FunctionContext) => SqlValue

function stable(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: Evaluate): ScalarFunction {
  return { name, args, result, strict: true, volatility: 'stable', evaluate }
}

/** current_setting: 42704 for an unknown name unless missing_ok, then NULL. */
export function currentSetting(name: string, missingOk: boolean, ctx: FunctionContext): string | null {
  const value = ctx.settings.get(name.toLowerCase())
  if (value !== undefined) return value
  if (missingOk) return null
  throw undefinedObject(`unrecognized configuration parameter "${name}"`)
}

/** The startup packet's user (settings hold the startup parameters, lower-cased). */
function sessionUser(ctx: FunctionContext): string | null {
  return ctx.settings.get('user') ?? ctx.settings.get('session_authorization') ?? null
}

function sessionFunctions(): ScalarFunction[] {
  return [
    stable('version', [], 'text', () => SERVER_VERSION_TEXT),
    stable('current_setting', ['text'], 'text', ([name], ctx) => currentSetting(String(name), false, ctx)),
    stable('current_setting', ['text', 'bool'], 'text', ([name, missingOk], ctx) => currentSetting(String(name), missingOk === true, ctx)),
    stable('current_database', [], 'text', (_args, ctx) => ctx.settings.get('database') ?? null),
    // name, as PostgreSQL types them (the binder turns USER and SESSION_USER into current_user).
    ...['current_user', 'session_user'].map((name) => stable(name, [], 'name', (_args, ctx) => sessionUser(ctx))),
    stable('current_schema', [], 'name', () => 'public'),
  ]
}

function nullCountFunctions(): ScalarFunction[] {
  const count = (name: string, wantNull: boolean): ScalarFunction => ({
    name,
    args: [],
    variadic: 'any',
    result: 'int4',
    strict: false,
    volatility: 'immutable',
    evaluate: (args) => args.filter((value) => (value === null) === wantNull).length,
  })
  return [count('num_nulls', true), count('num_nonnulls', false)]
}

/**
 * pg_advisory_unlock_all(): releases the session's advisory locks (asyncpg's pool reset calls it). nodedb has no
 * advisory locks, so a session never holds one and there is nothing to release; void, printed as '' as PostgreSQL does.
 */
const ADVISORY_UNLOCK_ALL: ScalarFunction = {
  name: 'pg_advisory_unlock_all', args: [], result: 'void', strict: true, volatility: 'volatile', evaluate: () => '',
}

/**
 * set_config(name, value, is_local): not strict, as PostgreSQL's (a NULL value resets the setting, a NULL is_local is
 * false); volatile, so never folded. 0A000 where no session is at hand.
 */
const SET_CONFIG: ScalarFunction = {
  name: 'set_config', args: ['text', 'text', 'bool'], result: 'text', strict: false, volatility: 'volatile',
  evaluate: ([name, value, isLocal], ctx) => {
    if (name === null || name === undefined) throw nullValueNotAllowed('SET requires parameter name')
    if (ctx.setSetting === undefined) throw featureNotSupportedMessage('set_config() outside a session is not supported')
    return ctx.setSetting(String(name), value === null || value === undefined ? null : String(value), isLocal === true)
  },
}

/** gen_random_uuid(): a version 4 (random) uuid, a new one per call, as PostgreSQL 13+. */
const GEN_RANDOM_UUID: ScalarFunction = {
  name: 'gen_random_uuid', args: [], result: 'uuid', strict: true, volatility: 'volatile', evaluate: () => randomUUID(),
}

export const MISC_FUNCTIONS: ReadonlyArray<ScalarFunction> = [...sessionFunctions(), ...nullCountFunctions(), ADVISORY_UNLOCK_ALL, GEN_RANDOM_UUID, SET_CONFIG]
