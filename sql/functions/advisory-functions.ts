// sql/functions/advisory-functions: pg_advisory_lock, pg_try_advisory_lock, pg_advisory_unlock (each also _shared,
// each over one int8 key or two int4 keys) and pg_advisory_unlock_all, over the server's lock table
// (sql/exec/advisory-locks.ts). A lock that is free is granted while the expression is evaluated; one that is not
// books its wait on the statement's Sleeper, which the executor awaits (cancel and statement_timeout end it with
// 57014). The transaction-level variants (pg_advisory_xact_lock …) hold until the session's transaction ends
// (FunctionContext.atTransactionEnd: COMMIT, ROLLBACK, ROLLBACK TO a savepoint before them, the end of an implicit one).
import { featureNotSupportedMessage } from '../../src/common/errors.js'
import type { PgTypeName } from '../bind/types.js'
import { advisoryLocks, lockKey, type AdvisoryLocks, type LockMode } from '../exec/advisory-locks.js'
import type { FunctionContext, ScalarFunction } from './function-def.js'
import { sleeperOf } from './sleep-functions.js'

const KEY_SHAPES: ReadonlyArray<ReadonlyArray<PgTypeName>> = [['int8'], ['int4', 'int4']]

function sessionLocks(ctx: FunctionContext, name: string): { table: AdvisoryLocks; pid: number } {
  if (ctx.backends === undefined || ctx.backendPid === undefined) throw featureNotSupportedMessage(`${name}() outside a session is not supported`)
  return { table: advisoryLocks(ctx.backends), pid: ctx.backendPid }
}

function volatile(name: string, args: ReadonlyArray<PgTypeName>, result: PgTypeName, evaluate: ScalarFunction['evaluate']): ScalarFunction {
  return { name, args, result, strict: true, volatility: 'volatile', evaluate }
}

function lockFunctions(suffix: '' | '_shared', mode: LockMode): ScalarFunction[] {
  return KEY_SHAPES.flatMap((args) => [
    volatile(`pg_advisory_lock${suffix}`, args, 'void', (values, ctx) => {
      const { table, pid } = sessionLocks(ctx, `pg_advisory_lock${suffix}`)
      const key = lockKey(values)
      if (!table.tryAcquire(key, pid, mode)) sleeperOf(ctx, `pg_advisory_lock${suffix}`).bookWait((signal) => table.acquire(key, pid, mode, signal))
      return ''
    }),
    volatile(`pg_try_advisory_lock${suffix}`, args, 'bool', (values, ctx) => {
      const { table, pid } = sessionLocks(ctx, `pg_try_advisory_lock${suffix}`)
      return table.tryAcquire(lockKey(values), pid, mode)
    }),
    volatile(`pg_advisory_unlock${suffix}`, args, 'bool', (values, ctx) => {
      const { table, pid } = sessionLocks(ctx, `pg_advisory_unlock${suffix}`)
      return table.release(lockKey(values), pid, mode)
    }),
  ])
}

/** Holds the key until the session's transaction ends (its end runs the release; an autocommit statement is one). */
function holdForTransaction(ctx: FunctionContext, table: AdvisoryLocks, key: string, pid: number, mode: LockMode): void {
  ctx.atTransactionEnd!(() => table.releaseXact(key, pid, mode))
}

/** pg_advisory_xact_lock and kin: held until the transaction (a block, an implicit one, the statement) ends. */
function transactionLevelFunctions(suffix: '' | '_shared', mode: LockMode): ScalarFunction[] {
  const locks = (ctx: FunctionContext, name: string): { table: AdvisoryLocks; pid: number } => {
    if (ctx.atTransactionEnd === undefined) throw featureNotSupportedMessage(`${name}() outside a session is not supported`)
    return sessionLocks(ctx, name)
  }
  return KEY_SHAPES.flatMap((args) => [
    volatile(`pg_advisory_xact_lock${suffix}`, args, 'void', (values, ctx) => {
      const name = `pg_advisory_xact_lock${suffix}`
      const { table, pid } = locks(ctx, name)
      const key = lockKey(values)
      if (table.tryAcquire(key, pid, mode, true)) holdForTransaction(ctx, table, key, pid, mode)
      else sleeperOf(ctx, name).bookWait((signal) => table.acquire(key, pid, mode, signal, true).then(() => holdForTransaction(ctx, table, key, pid, mode)))
      return ''
    }),
    volatile(`pg_try_advisory_xact_lock${suffix}`, args, 'bool', (values, ctx) => {
      const name = `pg_try_advisory_xact_lock${suffix}`
      const { table, pid } = locks(ctx, name)
      const key = lockKey(values)
      const isGranted = table.tryAcquire(key, pid, mode, true)
      if (isGranted) holdForTransaction(ctx, table, key, pid, mode)
      return isGranted
    }),
  ])
}

export const ADVISORY_FUNCTIONS: ReadonlyArray<ScalarFunction> = [
  ...lockFunctions('', 'exclusive'),
  ...lockFunctions('_shared', 'shared'),
  ...transactionLevelFunctions('', 'exclusive'),
  ...transactionLevelFunctions('_shared', 'shared'),
  // Releases the session's advisory locks (asyncpg's pool reset calls it). void, printed as '' as PostgreSQL does.
  volatile('pg_advisory_unlock_all', [], 'void', (_values, ctx) => {
    if (ctx.backends !== undefined && ctx.backendPid !== undefined) advisoryLocks(ctx.backends).releaseAll(ctx.backendPid)
    return ''
  }),
]
