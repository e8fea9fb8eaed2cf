// sql/parse/adapt-utility: SET / RESET, SHOW and transaction control (VariableSetStmt, VariableShowStmt,
// TransactionStmt) → SqlSet, SqlShow, SqlTransaction. RESET x and SET x TO DEFAULT are SqlSet with value null
// (back to the default, sql/exec/session-settings.ts); RESET ALL is SqlSet { name: 'all', value: null }.
import type { SqlSavepoint, SqlSet, SqlShow, SqlTransaction } from './ast.js'
import { adaptSavepoint } from './adapt-session.js'
import { type AdaptContext, type Node, bool, list, nodeField, num, str, unsupported, wrapped } from './adapt-node.js'

/** The values of a SET, each constant as text (a list setting quotes them, sql/exec/setting-values.ts). */
function setItems(ctx: AdaptContext, args: ReadonlyArray<unknown>): string[] {
  return args.map((value) => {
    const constant = wrapped(value, 'A_Const')
    if (constant === null) return unsupported('this SET value', ctx.statementPos)
    const ival = nodeField(constant, 'ival')
    if (ival !== null) return String(num(ival, 'ival'))
    const fval = nodeField(constant, 'fval')
    if (fval !== null) return str(fval, 'fval')
    const sval = nodeField(constant, 'sval')
    if (sval !== null) return str(sval, 'sval')
    return unsupported('this SET value', ctx.statementPos)
  })
}

export function adaptSet(ctx: AdaptContext, node: Node): SqlSet {
  const name = str(node, 'name')
  const isLocal = bool(node, 'is_local')
  switch (str(node, 'kind')) {
    case 'VAR_SET_VALUE': {
      const items = setItems(ctx, list(node, 'args'))
      return { kind: 'SqlSet', name, value: items.join(', '), items, isLocal, isReset: false }
    }
    case 'VAR_SET_DEFAULT': return { kind: 'SqlSet', name, value: null, items: [], isLocal, isReset: false }
    case 'VAR_RESET': return { kind: 'SqlSet', name, value: null, items: [], isLocal, isReset: true }
    case 'VAR_RESET_ALL': return { kind: 'SqlSet', name: 'all', value: null, items: [], isLocal, isReset: true }
    case 'VAR_SET_CURRENT': return unsupported('SET … FROM CURRENT', ctx.statementPos)
    default: return unsupported(`SET ${name}`, ctx.statementPos)
  }
}

export function adaptShow(_ctx: AdaptContext, node: Node): SqlShow {
  return { kind: 'SqlShow', name: str(node, 'name') }
}

const TRANSACTION_NAMES: Readonly<Record<string, string>> = {
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION', TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
}

/**
 * BEGIN / START TRANSACTION (isolation and access-mode options accepted and ignored), COMMIT / END, ROLLBACK / ABORT;
 * SAVEPOINT, RELEASE and ROLLBACK TO (adapt-session.ts).
 */
export function adaptTransaction(ctx: AdaptContext, node: Node): SqlTransaction | SqlSavepoint {
  const savepoint = adaptSavepoint(node)
  if (savepoint !== null) return savepoint
  const kind = str(node, 'kind')
  if (bool(node, 'chain')) return unsupported(`${kind === 'TRANS_STMT_COMMIT' ? 'COMMIT' : 'ROLLBACK'} AND CHAIN`, ctx.statementPos)
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START': return { kind: 'SqlTransaction', action: 'begin' }
    case 'TRANS_STMT_COMMIT': return { kind: 'SqlTransaction', action: 'commit' }
    case 'TRANS_STMT_ROLLBACK': return { kind: 'SqlTransaction', action: 'rollback' }
    default: return unsupported(TRANSACTION_NAMES[kind] ?? kind, ctx.statementPos)
  }
}
