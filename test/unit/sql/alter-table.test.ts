// Goal: ALTER TABLE t SET (ttl = '<interval>') / RESET (ttl) set and clear a table's retention with PostgreSQL's
// tags and SQLSTATEs: 'ALTER TABLE'; 42P01 unknown table; 22023 unknown option or bad value; 42601 malformed list.
// Method: the utility recogniser's AST for each spelling, then the facade over a FakeEngine and the ops it records.
import assert from 'node:assert/strict'
import type { SetRetentionOp } from '../../../engine/ops.js'
import { parseTtlUs } from '../../../sql/exec/alter-table.js'
import type { ParsedStatement } from '../../../sql/parse/ast.js'
import { parseSql } from '../../../sql/parse/parse-sql.js'
import { dbErrorOf, newHarness } from './helpers.js'

const DAY_US = 86_400_000_000

function astOf(text: string): ParsedStatement['ast'] {
  const [slice] = parseSql(text)
  assert.ok(slice !== undefined)
  return slice.parsed.ast
}

describe('sql: ALTER TABLE ... SET/RESET (ttl) (retention, issue #4)', () => {
  it('recognises SET and RESET option lists, quoted names, IF EXISTS and NULL', () => {
    assert.deepEqual(astOf("ALTER TABLE cpu SET (ttl = '30 days')"),
      { kind: 'SqlAlterTableOptions', table: 'cpu', ifExists: false, options: [{ name: 'ttl', value: '30 days' }] })
    assert.deepEqual(astOf('alter table if exists public."Cpu" reset ( TTL )'),
      { kind: 'SqlAlterTableOptions', table: 'Cpu', ifExists: true, options: [{ name: 'ttl', value: null }] })
    assert.deepEqual(astOf("ALTER TABLE ONLY cpu SET (ttl=NULL, fillfactor = 70, x = 'it''s', flag)"), {
      kind: 'SqlAlterTableOptions', table: 'cpu', ifExists: false,
      options: [{ name: 'ttl', value: null }, { name: 'fillfactor', value: '70' }, { name: 'x', value: "it's" }, { name: 'flag', value: 'true' }],
    })
  })

  it('rejects malformed option lists with 42601 and leaves other ALTER TABLE forms to the parser', async () => {
    for (const text of ['ALTER TABLE cpu SET ()', "ALTER TABLE cpu SET (ttl = 30 days)", "ALTER TABLE cpu RESET (ttl = '1 day')",
      'ALTER TABLE cpu SET (ttl = )']) {
      assert.equal((await dbErrorOf(() => parseSql(text))).code, '42601', text)
    }
    const other = await dbErrorOf(() => parseSql('ALTER TABLE cpu SET SCHEMA other'))
    assert.ok(['42601', '0A000'].includes(other.code), other.code)
  })

  it('sends SetRetentionOp and answers ALTER TABLE; RESET and NULL clear it', async () => {
    const h = await newHarness()
    assert.deepEqual(await h.one("ALTER TABLE cpu SET (ttl = '30 days')"), { kind: 'CommandResult', commandTag: 'ALTER TABLE' })
    assert.equal(h.engine.tables()[0]?.retentionUs, 30 * DAY_US)
    await h.one("ALTER TABLE cpu SET (ttl = '1 week 12 hours')")
    assert.equal(h.engine.tables()[0]?.retentionUs, 7.5 * DAY_US)
    await h.one('ALTER TABLE cpu RESET (ttl)')
    assert.equal(h.engine.tables()[0]?.retentionUs, null)
    await h.one("ALTER TABLE cpu SET (ttl = '2 days')")
    await h.one('ALTER TABLE cpu SET (ttl = NULL)')
    const ops = h.engine.ops.filter((op): op is SetRetentionOp => op.kind === 'SetRetentionOp')
    assert.deepEqual(ops.map((op) => op.retentionUs), [30 * DAY_US, 7.5 * DAY_US, null, 2 * DAY_US, null])
  })

  it('answers 42P01 for an unknown table (nothing with IF EXISTS) and 22023 for unknown options and bad values', async () => {
    const h = await newHarness()
    assert.equal((await dbErrorOf(() => h.run("ALTER TABLE nope SET (ttl = '1 day')"))).code, '42P01')
    assert.deepEqual(await h.one("ALTER TABLE IF EXISTS nope SET (ttl = '1 day')"), { kind: 'CommandResult', commandTag: 'ALTER TABLE' })
    const unknown = await dbErrorOf(() => h.run("ALTER TABLE cpu SET (fillfactor = 70)"))
    assert.deepEqual([unknown.code, unknown.message], ['22023', 'unrecognized parameter "fillfactor"'])
    for (const bad of ["'soon'", "'0 days'", "'-1 day'", "'1 month'", "''", 'true']) {
      const error = await dbErrorOf(() => h.run(`ALTER TABLE cpu SET (ttl = ${bad})`))
      assert.equal(error.code, '22023', bad)
    }
    const flag = await dbErrorOf(() => h.run('ALTER TABLE cpu SET (ttl)'))
    assert.deepEqual([flag.code, flag.message], ['22023', 'invalid value for parameter "ttl": "true"'])
    assert.equal(h.engine.ops.filter((op) => op.kind === 'SetRetentionOp').length, 0)
  })

  it('parses ttl intervals to µs', () => {
    assert.equal(parseTtlUs('7 days'), 7 * DAY_US)
    assert.equal(parseTtlUs('36:00:00'), 1.5 * DAY_US)
    assert.equal(parseTtlUs('90 min'), 5_400_000_000)
  })
})
