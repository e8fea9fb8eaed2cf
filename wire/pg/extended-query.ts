// wire/pg/extended-query: Parse/Bind/Describe/Execute/Close for one session: prepared statements and portals by
// name, bounded by PG_STATEMENTS_PER_SESSION_COUNT_MAX. Errors are thrown; the session sends them and skips to Sync.
import {
  duplicateCursor, duplicatePreparedStatement, invalidCursorName, undefinedCursor, invalidStatementName, programLimitExceeded,
  protocolViolation, syntaxError } from '../../src/common/errors.js'
import { PG_STATEMENTS_PER_SESSION_COUNT_MAX } from '../../src/common/limits.js'
import type {
  CursorFetch, FieldDescription, ParamValue, PreparedStatement, PreparedStatementInfo, PreparedStatementRegistry, SessionContext, SessionEffect, SqlFacade,
  StatementDescription, StatementResult } from '../../sql/api.js'
import { isSameNumbers, PAYLOAD_FREE } from './backend.js'
import { checkFormatCode, decodeParams, hasValues } from './bind-params.js'
import { describeFetchOf, fetchFrom } from './cursors.js'
import type { Bind, FrontendMessage } from './frontend.js'
import type { RowsResult } from './constant-answers.js'
import { listStatements, originOf, type Portal, type Statement } from './prepared-statement.js'
import { ResultCursor, resolveFormats, type RowSink } from './result-writer.js'

/** What the session lends the extended protocol: output, the statement boundary and transaction rules. */
export interface ExtendedQueryHost extends RowSink {
  readonly sql: SqlFacade
  /** The session's context: Bind reads text dates and times by its settings. */
  readonly sessionContext?: SessionContext
  execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, declaredOids: ReadonlyArray<number>): Promise<StatementResult>
  /** At once unless the statement must wait to be described (EXECUTE of a prepared statement). */
  describe(statement: PreparedStatement, declaredOids: ReadonlyArray<number>): StatementDescription | Promise<StatementDescription>
  /** Throws 25P02 in a failed transaction unless the statement is COMMIT/ROLLBACK. */
  checkNotAborted(statement: PreparedStatement): void
  /** Applies a CommandResult's transaction effect and ParameterStatus; returns the tag to send. */
  applyCommandResult(result: StatementResult & { kind: 'CommandResult' }): string
  /** Sends up to maxRows (0 = all) of the cursor's rows as the running statement (a CancelRequest stops it: 57014). */
  sendCursorRows(cursor: ResultCursor, formats: ReadonlyArray<number>, maxRows: number): Promise<number>
  /** Runs COPY's sub-protocol (wire/pg/copy-session.ts); resolves with the tag 'COPY n'. */
  runCopy(result: StatementResult & { kind: 'CopyInResult' | 'CopyOutResult' }): Promise<string>
  /** The description kept with the statement's constant answer (constant-answers.ts); undefined when none is kept. */
  keptDescription(statement: PreparedStatement, declaredOids: ReadonlyArray<number>): StatementDescription | undefined
  /** Writes the statement's kept constant answer for Bind's result formats (constant-answers.ts): its spent result, or null. */
  writeConstantAnswer(statement: PreparedStatement, formats: ReadonlyArray<number>): RowsResult | null
  /** Before a constant result's messages (formats null: a simple Query's): call the function after its CommandComplete. */
  recordConstantAnswer(statement: PreparedStatement, formats: ReadonlyArray<number> | null, result: RowsResult): () => void
}

/** How a transaction ended, for the portals it leaves (dropPortals). */
export type PortalsEnd = 'all' | 'commit' | 'rollback'
const FORMAT_BINARY = 1

export class ExtendedQuery implements PreparedStatementRegistry {
  private readonly statements = new Map<string, Statement>()
  private readonly portals = new Map<string, Portal>()
  private portalSerial = 0

  constructor(private readonly host: ExtendedQueryHost) {}

  /**
   * Parse: the unnamed statement is replaced each time; a named one must not exist yet (42P05). A query is described
   * here, as PostgreSQL analyses it at Parse: an unknown table or column answers the Parse (no ParseComplete), and
   * Describe and Bind use the description kept. Parse, Bind and Describe answer without a promise (no turn of the
   * event loop between pipelined messages) unless describing must wait.
   */
  parse(name: string, text: string, paramTypeOids: ReadonlyArray<number>): Promise<void> | undefined {
    if (name === '' && this.reparseUnnamed(text, paramTypeOids)) return undefined
    if (name !== '' && this.statements.has(name)) throw duplicatePreparedStatement(name)
    this.checkCapacity(this.statements, name)
    // The unnamed statement is gone even when the new one fails (PostgreSQL drops it before parsing).
    if (name === '') this.statements.delete(name)
    const parsed = this.host.sql.parse(text)
    if (parsed.length > 1) throw syntaxError('cannot insert multiple commands into a prepared statement')
    const prepared = parsed[0] ?? null
    if (prepared !== null) this.host.checkNotAborted(prepared)
    const paramCount = Math.max(prepared?.paramCount ?? 0, paramTypeOids.length)
    const statement: Statement = { prepared, declaredOids: paramTypeOids, paramCount, description: null, origin: originOf(text, false), plans: 0 }
    const described = prepared?.isAnalyzedAtParse === true ? this.descriptionOf(statement) : null
    const complete = (): undefined => {
      this.statements.set(name, statement)
      this.host.send(PAYLOAD_FREE.ParseComplete)
      return undefined
    }
    return described instanceof Promise ? described.then(complete) : complete()
  }

  /**
   * A Parse of the text the unnamed statement holds, with the same parameter types, when its description is a kept
   * constant answer's (constant-answers.ts: it cannot change): the statement is kept as it is, ParseComplete
   * answered. A driver that parses its unnamed statement before each Execute (node-postgres) pays no parse, no new
   * statement and no describe. Anything else (another text, a description sql made, which DDL or SET may change) is
   * parsed and described anew.
   */
  private reparseUnnamed(text: string, paramTypeOids: ReadonlyArray<number>): boolean {
    const held = this.statements.get('')
    const prepared = held?.prepared ?? null
    if (held === undefined || prepared === null || held.description === null || held.origin.text !== text) return false
    if (!isSameNumbers(held.declaredOids, paramTypeOids) || held.description !== this.host.keptDescription(prepared, paramTypeOids)) return false
    try {
      this.host.checkNotAborted(prepared)
    } catch (error) {
      this.statements.delete('') // gone even when the new one fails, as on the long path
      throw error
    }
    this.host.send(PAYLOAD_FREE.ParseComplete)
    return true
  }

  /**
   * Bind: the statement must exist (26000) and get exactly its parameter count (08P01), each value decodable as its
   * parameter's type (22P02, 22P03 answer the Bind, as PostgreSQL's); the unnamed portal is replaced.
   */
  bind(message: Bind): Promise<void> | undefined {
    const statement = this.statements.get(message.statement)
    if (statement === undefined) throw invalidStatementName(message.statement)
    const supplied = message.paramValues.length
    if (supplied !== statement.paramCount) {
      throw protocolViolation(`bind message supplies ${supplied} parameters, but prepared statement "${message.statement}" requires ${statement.paramCount}`)
    }
    statement.plans += 1
    const params = decodeParams(message)
    for (const format of message.resultFormats) checkFormatCode(format)
    if (statement.prepared !== null) this.host.checkNotAborted(statement.prepared)
    const checkParams = this.host.sql.checkParams
    if (checkParams === undefined || !hasValues(params)) return this.openPortal(message, statement, params)
    const described = this.descriptionOf(statement)
    const checked = (description: StatementDescription): undefined => {
      checkParams(description.paramTypeOids, params, this.host.sessionContext, message.portal)
      return this.openPortal(message, statement, params)
    }
    return described instanceof Promise ? described.then(checked) : checked(described)
  }

  private openPortal(message: Bind, statement: Statement, params: ReadonlyArray<ParamValue>): undefined {
    this.checkCapacity(this.portals, message.portal)
    // A named portal must not exist yet (42P03, as PostgreSQL's CreatePortal); the unnamed one is replaced.
    if (message.portal !== '' && this.portals.has(message.portal)) throw duplicateCursor(message.portal)
    this.portals.get(message.portal)?.cursor?.close()
    this.portals.set(message.portal, {
      statement, params, resultFormats: message.resultFormats, result: null, commandTag: '', cursor: null, wasSuspended: false,
      isBinary: false, hold: 'none', serial: ++this.portalSerial,
    })
    this.host.send(PAYLOAD_FREE.BindComplete)
    return undefined
  }

  /** Describe S: ParameterDescription, then RowDescription (all text) or NoData. */
  describeStatement(name: string): Promise<void> | undefined {
    const statement = this.statements.get(name)
    if (statement === undefined) throw invalidStatementName(name)
    const described = this.descriptionOf(statement)
    const send = (description: StatementDescription): undefined => {
      this.host.send({ kind: 'ParameterDescription', typeOids: description.paramTypeOids })
      this.sendRowDescription(description.fields, [])
      return undefined
    }
    return described instanceof Promise ? described.then(send) : send(described)
  }

  /** Describe P: RowDescription in the portal's result formats, or NoData. */
  describePortal(name: string): Promise<void> | undefined {
    const portal = this.portals.get(name)
    if (portal === undefined) throw invalidCursorName(name)
    if (portal.result !== null) {
      this.sendRowDescription('fields' in portal.result ? portal.result.fields : null, portal.resultFormats)
      return undefined
    }
    const described = this.descriptionOf(portal.statement)
    if (described instanceof Promise) return described.then((description) => this.sendRowDescription(description.fields, portal.resultFormats))
    this.sendRowDescription(described.fields, portal.resultFormats)
    return undefined
  }

  /**
   * Execute: runs the portal once, then sends up to maxRows rows (0 = all); PortalSuspended when stopped early. An
   * error while rows are sent ends the portal's stream (its scan is cancelled) before it reaches the client.
   */
  execute(name: string, maxRows: number): Promise<void> | undefined {
    const portal = this.portals.get(name)
    if (portal === undefined) throw invalidCursorName(name)
    const prepared = portal.statement.prepared
    // A constant statement's whole answer (maxRows 0) was kept: written at once, no promise (constant-answers.ts).
    if (portal.result === null && prepared !== null && maxRows === 0) {
      this.host.checkNotAborted(prepared)
      const spent = this.host.writeConstantAnswer(prepared, portal.resultFormats)
      if (spent !== null) {
        portal.result = spent
        portal.cursor = new ResultCursor(spent)
        return undefined
      }
    }
    return this.run(portal, maxRows)
  }

  private async run(portal: Portal, maxRows: number): Promise<void> {
    let recorded: (() => void) | null = null
    if (portal.result === null) {
      const prepared = portal.statement.prepared
      if (prepared === null) {
        this.host.send(PAYLOAD_FREE.EmptyQueryResponse)
        return
      }
      this.host.checkNotAborted(prepared)
      let result = await this.host.execute(prepared, portal.params, portal.statement.declaredOids)
      if (result.kind === 'CopyInResult' || result.kind === 'CopyOutResult') result = { kind: 'CommandResult', commandTag: await this.host.runCopy(result) }
      portal.commandTag = result.kind === 'CommandResult' ? this.host.applyCommandResult(result) : ''
      portal.result = result
      if (result.kind !== 'CommandResult') portal.cursor = new ResultCursor(result)
      if (result.kind === 'RowsResult' && result.isConstant === true && maxRows === 0) {
        recorded = this.host.recordConstantAnswer(prepared, portal.resultFormats, result)
      }
    }
    const cursor = portal.cursor
    if (cursor === null) {
      this.host.send({ kind: 'CommandComplete', tag: portal.commandTag })
      return
    }
    const formats = resolveFormats(portal.resultFormats, cursor.fields.length)
    let sentCount: number
    try {
      sentCount = await this.host.sendCursorRows(cursor, formats, maxRows)
    } catch (error) {
      cursor.close()
      throw error
    }
    // As PostgreSQL: a fetch that filled maxRows suspends, even if no row is left; the next one completes.
    const isSuspended = maxRows > 0 && sentCount === maxRows
    if (isSuspended) {
      portal.wasSuspended = true
      this.host.send(PAYLOAD_FREE.PortalSuspended)
      return
    }
    // After a suspension, PostgreSQL's tag counts the rows of this Execute only ('SELECT 0' when none were left).
    const tag = portal.wasSuspended ? cursor.commandTag.replace(/\d+$/, String(sentCount)) : cursor.commandTag
    this.host.send({ kind: 'CommandComplete', tag })
    recorded?.()
  }

  /** The text pg_stat_activity shows while this message runs: Parse's own, else its statement's or portal's ('' if none). */
  sourceText(message: Extract<FrontendMessage, { kind: 'Parse' | 'Bind' | 'Describe' | 'Execute' }>): string {
    if (message.kind === 'Parse') return message.text
    const isPortal = message.kind === 'Execute' || (message.kind === 'Describe' && message.target === 'P')
    const name = message.kind === 'Bind' ? message.statement : message.kind === 'Execute' ? message.portal : message.name
    const statement = isPortal ? this.portals.get(name)?.statement : this.statements.get(name)
    return statement?.origin.text ?? ''
  }

  /** Close: CloseComplete whether or not the name exists (PostgreSQL's rule); a closed portal's scan is cancelled. */
  close(target: 'S' | 'P', name: string): void {
    this.drop(target, name)
    this.host.send(PAYLOAD_FREE.CloseComplete)
  }
  /** Close without its CloseComplete: a simple Query drops the unnamed statement and portal (exec_simple_query's drop_unnamed_stmt). */
  drop(target: 'S' | 'P', name: string): void {
    const portal = target === 'P' ? this.portals.get(name) : undefined
    if (target === 'S') this.statements.delete(name)
    else if (portal !== undefined) this.dropPortal(name, portal)
  }

  /**
   * Portals end with their transaction: at Sync outside a transaction block, at COMMIT/ROLLBACK, and when the
   * connection goes ('all'). Their streams are cancelled, so the cores stop scanning for a client that will not read.
   * WITH HOLD cursors outlive a commit (their stream stays open) and a rollback of a later transaction.
   */
  dropPortals(end: PortalsEnd = 'all'): void {
    // A driver's round trip leaves the unnamed portal alone: dropped without an iterator (a portal without hold never stays).
    const unnamed = this.portals.size === 1 ? this.portals.get('') : undefined
    if (unnamed !== undefined && unnamed.hold === 'none') return this.dropPortal('', unnamed)
    for (const [name, portal] of this.portals) {
      const isKept = end === 'commit' ? portal.hold !== 'none' : end === 'rollback' && portal.hold === 'held'
      if (isKept) portal.hold = 'held'
      else this.dropPortal(name, portal)
    }
  }

  /** DECLARE … WITH HOLD outside a block: its implicit transaction has committed. */
  holdPendingCursors(): void {
    for (const portal of this.portals.values()) if (portal.hold === 'pending') portal.hold = 'held'
  }

  /** The creation serial of the newest portal: a savepoint remembers it (dropPortalsAfter). */
  get lastPortalSerial(): number {
    return this.portalSerial
  }

  /** ROLLBACK TO SAVEPOINT: the portals made since the savepoint go (PostgreSQL drops a subtransaction's portals). */
  dropPortalsAfter(serial: number): void {
    for (const [name, portal] of this.portals) if (portal.serial > serial && portal.hold !== 'held') this.dropPortal(name, portal)
  }

  private dropPortal(name: string, portal: Portal): void {
    portal.cursor?.close()
    this.portals.delete(name)
  }

  /** PREPARE (PreparedStatementRegistry): 42P05 when the name is taken, by PREPARE or by the protocol's Parse. */
  add(name: string, prepared: PreparedStatement, declaredOids: ReadonlyArray<number>, paramTypeOids: ReadonlyArray<number>): void {
    if (this.statements.has(name)) throw duplicatePreparedStatement(name)
    this.checkCapacity(this.statements, name)
    const paramCount = Math.max(prepared.paramCount, declaredOids.length)
    this.statements.set(name, {
      prepared, declaredOids, paramCount, description: null, origin: originOf(prepared.text, true), plans: 0, describedOids: paramTypeOids,
    })
  }

  /** EXECUTE (PreparedStatementRegistry): a named statement; the unnamed one is not in PostgreSQL's table. */
  find(name: string, isExecution = false): { readonly statement: PreparedStatement; readonly declaredOids: ReadonlyArray<number> } | null {
    const statement = name === '' ? undefined : this.statements.get(name)
    if (statement === undefined || statement.prepared === null) return null
    if (isExecution) statement.plans += 1
    return { statement: statement.prepared, declaredOids: statement.declaredOids }
  }

  /** pg_prepared_statements (PreparedStatementRegistry): every named statement. */
  list(): PreparedStatementInfo[] {
    return listStatements(this.statements)
  }

  /** FETCH / MOVE from a cursor (34000 when there is none): a stream of its next rows, or the count skipped. */
  fetch(fetch: CursorFetch, signal?: AbortSignal): Promise<StatementResult> | StatementResult {
    return fetchFrom(this.cursorPortal(fetch.cursor), fetch, signal)
  }

  /** Describe of a FETCH: the cursor's columns (MOVE returns no rows). */
  describeFetch(fetch: CursorFetch): StatementDescription {
    return fetch.isMove ? { paramTypeOids: [], fields: null } : describeFetchOf(this.cursorPortal(fetch.cursor))
  }

  private cursorPortal(name: string): Portal {
    const portal = this.portals.get(name)
    if (portal === undefined) throw undefinedCursor(name)
    return portal
  }

  /** DECLARE: the query's open result becomes a portal (42P03 when the name is taken; the result is then stopped). */
  private declareCursor(effect: Extract<SessionEffect, { kind: 'DeclareCursor' }>): void {
    const cursor = new ResultCursor(effect.rows)
    if (this.portals.has(effect.name)) {
      cursor.close()
      throw duplicateCursor(effect.name)
    }
    const statement: Statement = { prepared: null, declaredOids: [], paramCount: 0, description: null, origin: originOf('', false), plans: 0 }
    this.portals.set(effect.name, {
      statement, params: [], resultFormats: effect.isBinary ? [FORMAT_BINARY] : [], result: effect.rows, commandTag: '', cursor,
      wasSuspended: false, isBinary: effect.isBinary, hold: effect.isHold ? 'pending' : 'none', serial: ++this.portalSerial,
    })
  }

  /**
   * DEALLOCATE name (26000 when there is none) or ALL: SQL names the protocol's named statements, as in PostgreSQL;
   * DISCARD ALL also closes every portal. The unnamed statement is not in PostgreSQL's table, so it stays.
   */
  applyEffect(effect: SessionEffect): void {
    if (effect.kind === 'DeclareCursor') {
      this.declareCursor(effect)
      return
    }
    if (effect.kind === 'ClosePortal') {
      this.closePortals(effect.name)
      return
    }
    if (effect.kind === 'Deallocate' && effect.name !== null) {
      if (!this.statements.has(effect.name)) throw invalidStatementName(effect.name)
      this.statements.delete(effect.name)
      return
    }
    for (const name of [...this.statements.keys()]) if (name !== '') this.statements.delete(name)
    if (effect.kind === 'DiscardAll') this.dropPortals()
  }

  /** CLOSE name (34000 when there is no such portal, PostgreSQL's PerformPortalClose) or ALL (null). */
  private closePortals(name: string | null): void {
    if (name === null) {
      this.dropPortals()
      return
    }
    this.dropPortal(name, this.cursorPortal(name))
  }

  /** The statement's description, described once (at once, or a promise when describing must wait). */
  private descriptionOf(statement: Statement): StatementDescription | Promise<StatementDescription> {
    if (statement.prepared === null) return { paramTypeOids: [], fields: null }
    if (statement.description !== null) return statement.description
    const described = this.host.describe(statement.prepared, statement.declaredOids)
    if (!(described instanceof Promise)) {
      statement.description = described
      return described
    }
    return described.then((description) => {
      statement.description = description
      return description
    })
  }

  private sendRowDescription(fields: ReadonlyArray<FieldDescription> | null, formats: ReadonlyArray<number>): void {
    if (fields === null) this.host.send(PAYLOAD_FREE.NoData)
    else this.host.send({ kind: 'RowDescription', fields, formats: resolveFormats(formats, fields.length) })
  }

  private checkCapacity(names: ReadonlyMap<string, unknown>, name: string): void {
    if (names.has(name)) return
    if (this.statements.size + this.portals.size >= PG_STATEMENTS_PER_SESSION_COUNT_MAX) {
      throw programLimitExceeded(`too many prepared statements and portals in this session (${PG_STATEMENTS_PER_SESSION_COUNT_MAX})`)
    }
  }
}
