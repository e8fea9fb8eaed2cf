// Goal: the session and system functions read the FunctionContext as PostgreSQL reads its session (settings, user,
// database, statement time) and raise its SQLSTATEs; num_nulls/num_nonnulls count as PostgreSQL does. Method:
// direct calls with a fixed context; version() text is checked for the shape tools parse.
import assert from 'node:assert/strict'
import type { SqlValue } from '../../../../sql/api.js'
import type { FunctionContext } from '../../../../sql/functions/function-def.js'
import { MISC_FUNCTIONS, SERVER_VERSION_TEXT } from '../../../../sql/functions/misc-functions.js'
import { allScalarFunctions } from '../../../../sql/functions/registry.js'
import { isDbError } from '../../../../src/common/errors.js'
import { NODEDB_VERSION } from '../../../../src/common/version.js'

const CONTEXT: FunctionContext = {
  timeZone: 'UTC',
  nowUs: 1_700_000_000_123_456,
  settings: new Map([['timezone', 'UTC'], ['user', 'alice'], ['database', 'metrics'], ['search_path', '"$user", public']]),
}

function call(name: string, args: ReadonlyArray<SqlValue> = []): SqlValue {
  const fn = allScalarFunctions().find((f) => f.name === name && (f.args.length === args.length || f.variadic !== undefined))
  assert.ok(fn !== undefined, `no ${name}/${args.length}`)
  return fn.evaluate(args, CONTEXT)
}

describe('sql/functions/misc-functions', function () {
  it('version() has PostgreSQL 15 first, then nodedb and its version', function () {
    assert.equal(call('version'), SERVER_VERSION_TEXT)
    assert.match(SERVER_VERSION_TEXT, /^PostgreSQL 15\.0 \(nodedb /)
    assert.ok(SERVER_VERSION_TEXT.includes(NODEDB_VERSION))
  })

  it('current_setting reads settings case-insensitively; unknown names are 42704 unless missing_ok', function () {
    assert.equal(call('current_setting', ['TimeZone']), 'UTC')
    assert.equal(call('current_setting', ['no_such', true]), null)
    assert.throws(() => call('current_setting', ['no_such']), (e: unknown) => isDbError(e) && e.code === '42704')
    assert.throws(() => call('current_setting', ['no_such', false]), (e: unknown) => isDbError(e) && e.code === '42704')
  })

  it('current_database, current_user, session_user (typed name; the binder maps USER to current_user), current_schema', function () {
    assert.equal(call('current_database'), 'metrics')
    for (const name of ['current_user', 'session_user']) {
      assert.equal(call(name), 'alice')
      assert.equal(MISC_FUNCTIONS.find((f) => f.name === name)?.result, 'name')
    }
    assert.equal(call('current_schema'), 'public')
  })

  it('now() and its synonyms are the statement time (stable), each defined once; clock_timestamp is volatile', function () {
    for (const name of ['now', 'transaction_timestamp', 'statement_timestamp']) {
      assert.equal(call(name), CONTEXT.nowUs)
      assert.deepEqual(allScalarFunctions().filter((f) => f.name === name).map((f) => f.volatility), ['stable'])
    }
    const clock = call('clock_timestamp')
    assert.equal(typeof clock, 'number')
    assert.ok(Math.abs(Number(clock) - Date.now() * 1000) < 60_000_000)
    assert.equal(allScalarFunctions().find((f) => f.name === 'clock_timestamp')?.volatility, 'volatile')
  })

  it('num_nulls and num_nonnulls count NULL arguments', function () {
    assert.equal(call('num_nulls', [1, null, 'x', null]), 2)
    assert.equal(call('num_nonnulls', [1, null, 'x', null]), 2)
    assert.equal(MISC_FUNCTIONS.find((f) => f.name === 'num_nulls')?.strict, false)
  })
})
