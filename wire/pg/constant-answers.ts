// wire/pg/constant-answers: the bytes of a constant statement's answer (SELECT 1: a pool's validation query, a health
// check, an ORM's ping), kept per session and written again instead of running the statement. sql decides what is
// constant from the plan (RowsResult.isConstant: no row, parameter, clock, catalog or non-immutable function); the
// text of the answer still depends on the session's settings (extra_float_digits, DateStyle, TimeZone…), so an
// answer is kept with the settings map it was made under (sql's mergedSettings: one object while they are unchanged)
// and the result formats asked for. The bytes are those the normal path wrote, copied as they were written.
import { isDeepStrictEqual } from 'node:util'
import { paranoid } from '../../src/common/assert.js'
import { PG_CONSTANT_ANSWER_BYTES_MAX, PG_CONSTANT_ANSWERS_PER_SESSION_COUNT_MAX } from '../../src/common/limits.js'
import type { PreparedStatement, StatementDescription, StatementResult } from '../../sql/api.js'
import { isSameNumbers } from './backend.js'
import type { BufferWriter } from './buffer-writer.js'

export type RowsResult = Extract<StatementResult, { kind: 'RowsResult' }>

// Per statement: the simple Query's answer and one Execute's; an older settings map's answers never hit again.
const ANSWERS_PER_STATEMENT_COUNT_MAX = 2

interface Answer {
  readonly settings: ReadonlyMap<string, string>
  /** null: a simple Query's (RowDescription, DataRows, CommandComplete); else an Execute's, for Bind's result formats. */
  readonly formats: ReadonlyArray<number> | null
  readonly bytes: Buffer
  /** The result with its rows sent: what a portal holds after its Execute. */
  readonly spent: RowsResult
  /** What Parse and Describe answer for it: no parameters, the answer's columns. */
  readonly description: StatementDescription
}

function isSameFormats(kept: ReadonlyArray<number> | null, asked: ReadonlyArray<number> | null): boolean {
  return kept === null || asked === null ? kept === asked : isSameNumbers(kept, asked)
}

export class ConstantAnswers {
  /** In the order they were first kept: the oldest statement goes when the session keeps too many. */
  private readonly answers = new Map<PreparedStatement, Answer[]>()

  constructor(private readonly writer: BufferWriter) {}

  /** Writes the answer kept for the statement under these settings and formats: its spent result, or null when none. */
  write(statement: PreparedStatement, settings: ReadonlyMap<string, string>, formats: ReadonlyArray<number> | null): RowsResult | null {
    const answers = this.answers.get(statement)
    if (answers === undefined) return null
    for (const answer of answers) {
      if (answer.settings !== settings || !isSameFormats(answer.formats, formats)) continue
      this.writer.bytes(answer.bytes)
      return answer.spent
    }
    return null
  }

  /**
   * Called before a constant result's messages are written; the function it returns, called after them, keeps the
   * bytes written in between (not when some already went to the socket, or when they are too many to keep).
   */
  record(statement: PreparedStatement, settings: ReadonlyMap<string, string>, formats: ReadonlyArray<number> | null,
    result: RowsResult): () => void {
    const mark = this.writer.mark()
    return () => {
      const bytes = this.writer.copySince(mark, PG_CONSTANT_ANSWER_BYTES_MAX)
      if (bytes === null) return
      this.keep(statement, { settings, formats, bytes, spent: { ...result, rows: [] }, description: { paramTypeOids: [], fields: result.fields } })
    }
  }

  /**
   * A kept statement's description, else `describe()`'s: a driver that parses the unnamed statement before each
   * Execute (node-postgres without a name) has it described again each time.
   */
  describe(statement: PreparedStatement, declaredOids: ReadonlyArray<number>,
    describe: () => StatementDescription | Promise<StatementDescription>): StatementDescription | Promise<StatementDescription> {
    const kept = this.kept(statement, declaredOids)
    if (kept === undefined) return describe()
    paranoid(() => isDeepStrictEqual(describe(), kept), 'a kept answer is described as sql describes its statement')
    return kept
  }

  /** The description of a statement whose answer is kept (no parameters: a constant statement has none). */
  kept(statement: PreparedStatement, declaredOids: ReadonlyArray<number>): StatementDescription | undefined {
    return declaredOids.length === 0 ? this.answers.get(statement)?.[0]?.description : undefined
  }

  private keep(statement: PreparedStatement, answer: Answer): void {
    let answers = this.answers.get(statement)
    if (answers === undefined) {
      if (this.answers.size >= PG_CONSTANT_ANSWERS_PER_SESSION_COUNT_MAX) this.answers.delete(this.answers.keys().next().value!)
      answers = []
      this.answers.set(statement, answers)
    }
    // The same formats under other settings (changed since) is replaced; else the oldest goes past the bound.
    const stale = answers.findIndex((kept) => isSameFormats(kept.formats, answer.formats))
    if (stale >= 0) answers.splice(stale, 1)
    else if (answers.length >= ANSWERS_PER_STATEMENT_COUNT_MAX) answers.shift()
    answers.push(answer)
  }
}
