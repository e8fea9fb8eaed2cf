// wire/pg/simple-query: one statement of a simple Query (the Query message's text may hold several), answered as
// PostgreSQL answers it: CommandComplete, or COPY's sub-protocol, or RowDescription, DataRows and CommandComplete.
// The loop over the statements, the implicit transaction around them and ReadyForQuery stay in session.ts.
import type { PreparedStatement } from '../../sql/api.js'
import type { ExtendedQueryHost } from './extended-query.js'
import { ResultCursor } from './result-writer.js'

export async function runSimpleStatement(host: ExtendedQueryHost, statement: PreparedStatement): Promise<void> {
  host.checkNotAborted(statement)
  const result = await host.execute(statement, [], [])
  if (result.kind === 'CommandResult') {
    host.send({ kind: 'CommandComplete', tag: host.applyCommandResult(result) })
    return
  }
  if (result.kind === 'CopyInResult' || result.kind === 'CopyOutResult') {
    host.send({ kind: 'CommandComplete', tag: await host.runCopy(result) })
    return
  }
  const formats = result.fields.map(() => (result.kind === 'RowStreamResult' && result.isBinary === true ? 1 : 0))
  const recorded = result.kind === 'RowsResult' && result.isConstant === true ? host.recordConstantAnswer(statement, null, result) : null
  host.send({ kind: 'RowDescription', fields: result.fields, formats })
  const cursor = new ResultCursor(result)
  try {
    await host.sendCursorRows(cursor, formats, 0)
  } finally {
    // On an error mid-stream the scan still runs on the cores: stop it (a no-op once exhausted).
    cursor.close()
  }
  host.send({ kind: 'CommandComplete', tag: cursor.commandTag })
  recorded?.()
}
