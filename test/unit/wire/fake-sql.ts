// test/unit/wire/fake-sql: an in-test SqlFacade that answers from recorded StatementResults (plain data, the
// sql/api.ts boundary on purpose), so the wire tests need no sql layer. Statements split on ';' (no quoting).
import { divisionByZero, syntaxError, undefinedTable } from '../../../src/common/errors.js'
import type {
  IngestBatch, IngestOptions, IngestOutcome,
  FieldDescription, ParamValue, PreparedStatement, RowBatch, RowStream, SessionContext, SqlFacade, StatementDescription, StatementResult,
} from '../../../sql/api.js'

export function field(name: string, typeOid: number, typeSize = 4): FieldDescription {
  return { name, tableOid: 0, columnAttr: 0, typeOid, typeSize, typeModifier: -1 }
}

export function rows(fields: FieldDescription[], values: Array<Array<null | boolean | number | bigint | string>>): StatementResult {
  return { kind: 'RowsResult', fields, rows: values, commandTag: `SELECT ${values.length}` }
}

/**
 * A RowStream of `batchCount` batches of `batchRows` rows [i] that records whether it was cancelled and how many
 * batches were pulled; with `failAfter`, the next pull after that many batches rejects with 22012.
 */
export class FakeRowStream implements RowStream {
  rowCount = 0
  isCancelled = false
  pulledCount = 0
  constructor(private readonly batchCount: number, private readonly batchRows: number, private readonly failAfter: number | null = null) {}

  cancel(): void {
    this.isCancelled = true
  }

  async *[Symbol.asyncIterator](): AsyncIterator<RowBatch> {
    for (let b = 0; b < this.batchCount && !this.isCancelled; b++) {
      if (this.failAfter !== null && b >= this.failAfter) throw divisionByZero()
      await new Promise((resolve) => setImmediate(resolve))
      this.pulledCount += 1
      this.rowCount += this.batchRows
      yield Array.from({ length: this.batchRows }, (_, i) => [b * this.batchRows + i])
    }
  }
}

type Answer = (params: ReadonlyArray<ParamValue>, session?: SessionContext) => StatementResult | Promise<StatementResult>

interface Recorded {
  readonly answer: Answer
  readonly description: StatementDescription
}

const FIVE = rows([field('n', 23)], [[1], [2], [3], [4], [5]])

function command(commandTag: string, extra: Partial<StatementResult & { kind: 'CommandResult' }> = {}): StatementResult {
  return { kind: 'CommandResult', commandTag, ...extra }
}

export class FakeSql implements SqlFacade {
  readonly executed: string[] = []
  /** Every text given to parse(), in order. */
  readonly parsed: string[] = []
  /** Resolvers of statements that wait ('SLOW'), released by the test. */
  readonly waiting: Array<() => void> = []
  private readonly recorded = new Map<string, Recorded>()
  /** Every stream 'SELECT * FROM stream' (10 batches of 100 rows) and 'SELECT * FROM failing' handed out. */
  readonly streams: FakeRowStream[] = []
  /** The streams of 'DECLARE c CURSOR FOR SELECT * FROM stream' (the first is the one record() sampled). */
  readonly cursorStreams: FakeRowStream[] = []

  constructor() {
    this.record('SELECT 1', () => rows([field('?column?', 23)], [[1]]))
    this.record('SELECT 2 AS b', () => rows([field('b', 23)], [[2]]))
    this.record('SELECT * FROM five', () => FIVE)
    this.record('SELECT 1/0', () => { throw divisionByZero() })
    this.record('SELECT crash()', () => { throw new TypeError('fake bug') })
    // ~44 MB of DataRows: far more than loopback socket buffers can absorb while the client does not read.
    const manyRows = Array.from({ length: 100_000 }, (_, i) => [i, 'x'.repeat(400)])
    this.record('SELECT * FROM big', () => rows([field('i', 23), field('s', 25, -1)], manyRows))
    const streamFields = [field('i', 23)]
    const streamOf = (stream: FakeRowStream): StatementResult => {
      this.streams.push(stream)
      return { kind: 'RowStreamResult', fields: streamFields, stream }
    }
    this.record('SELECT * FROM stream', () => streamOf(new FakeRowStream(10, 100)), [], streamFields)
    this.record('SELECT * FROM failing', () => streamOf(new FakeRowStream(10, 100, 3)), [], streamFields)
    this.record('DECLARE c CURSOR FOR SELECT * FROM stream', () => {
      const stream = new FakeRowStream(10, 100)
      this.cursorStreams.push(stream)
      const rows: StatementResult & { kind: 'RowStreamResult' } = { kind: 'RowStreamResult', fields: streamFields, stream }
      return command('DECLARE CURSOR', { sessionEffect: { kind: 'DeclareCursor', name: 'c', isBinary: false, isHold: false, rows } })
    })
    this.record('BEGIN', () => command('BEGIN', { transaction: 'begin' }))
    this.record('COMMIT', () => command('COMMIT', { transaction: 'commit' }))
    this.record('ROLLBACK', () => command('ROLLBACK', { transaction: 'rollback' }))
    this.record('INSERT INTO t VALUES (1)', () => command('INSERT 0 1'))
    this.record("SET application_name = 'x'", (_params, session) => {
      session?.settings.set('application_name', 'x')
      return command('SET')
    })
    const sleepFields = [field('pg_sleep', 25, -1)]
    this.record('SELECT pg_sleep()', () => new Promise((resolve) => this.waiting.push(() => resolve(rows(sleepFields, [['']])))), [], sleepFields)
    this.record('SELECT $1::int + $2 AS s, $3::text AS t', (params) => {
      const s = Number(params[0]) + Number(params[1])
      return rows([field('s', 23), field('t', 25, -1)], [[s, typeof params[2] === 'string' ? params[2] : null]])
    }, [23, 23, 25])
    this.record('SELECT $1::text AS v', (params) => {
      const value = params[0]
      const text = value instanceof Uint8Array ? `bytes:${Buffer.from(value).toString('hex')}` : value ?? null
      return rows([field('v', 25, -1)], [[text]])
    }, [25])
  }

  /** Without `fields` the answer is sampled once (with '1' parameters) to learn the statement's description. */
  record(text: string, answer: Answer, paramTypeOids: number[] = [], fields?: FieldDescription[]): void {
    let description: StatementDescription = { paramTypeOids, fields: fields ?? null }
    if (fields === undefined) try {
      const sample = answer(paramTypeOids.map(() => '1'))
      if (!(sample instanceof Promise) && sample.kind === 'RowsResult') description = { paramTypeOids, fields: sample.fields }
    } catch {
      description = { paramTypeOids, fields: [field('?column?', 23)] }
    }
    this.recorded.set(text, { answer, description })
  }

  parse(text: string): ReadonlyArray<PreparedStatement> {
    this.parsed.push(text)
    const pieces = text.split(';').map((piece) => piece.replace(/--[^\n]*/g, '').trim()).filter((piece) => piece !== '')
    return pieces.map((piece) => {
      if (/SYNTAX/.test(piece)) throw syntaxError(`syntax error at or near "SYNTAX"`, text.indexOf('SYNTAX') + 1)
      const numbers = [...piece.matchAll(/\$(\d+)/g)].map((match) => Number(match[1]))
      const keyword = /^(begin|commit|end|rollback|abort)\b/i.exec(piece)?.[1]?.toLowerCase()
      const transaction = keyword === undefined ? null
        : keyword === 'begin' ? 'begin' : keyword === 'commit' || keyword === 'end' ? 'commit' : 'rollback'
      const isReadOnly = /^\s*(SELECT|SHOW|FETCH)\b/i.test(piece)
      // FETCH n|ALL [FROM] c: wire answers it from the cursor (PreparedStatement.cursorFetch), as sql's parse marks it.
      const fetch = /^(FETCH|MOVE) (\d+|ALL) (?:FROM )?(\w+)$/i.exec(piece)
      const cursorFetch = fetch === null ? {}
        : { cursorFetch: { cursor: fetch[3] ?? '', count: fetch[2] === 'ALL' ? null : Number(fetch[2]), isMove: fetch[1] === 'MOVE' } }
      return { kind: 'PreparedStatement', text: piece, paramCount: Math.max(0, ...numbers), transaction, isReadOnly, ...cursorFetch, parsed: piece }
    })
  }

  async describe(statement: PreparedStatement, declaredParamOids: ReadonlyArray<number>): Promise<StatementDescription> {
    const recorded = this.lookup(statement)
    const paramTypeOids = recorded.description.paramTypeOids.map((oid, index) => declaredParamOids[index] || oid)
    return { ...recorded.description, paramTypeOids }
  }

  /** Every ingest() call's batches, in order. */
  readonly ingested: Array<ReadonlyArray<IngestBatch>> = []

  async ingest(batches: ReadonlyArray<IngestBatch>, _options?: IngestOptions): Promise<IngestOutcome> {
    this.ingested.push(batches)
    return { rowCount: batches.reduce((sum, batch) => sum + batch.rowCount, 0), errors: [], errorCount: 0 }
  }

  async execute(statement: PreparedStatement, params: ReadonlyArray<ParamValue>, _declared: ReadonlyArray<number>,
    session: SessionContext): Promise<StatementResult> {
    this.executed.push(statement.text)
    return this.lookup(statement).answer(params, session)
  }

  private lookup(statement: PreparedStatement): Recorded {
    const recorded = this.recorded.get(statement.text)
    if (recorded === undefined) throw undefinedTable(statement.text.split(' ').pop() ?? '', 1)
    return recorded
  }
}
