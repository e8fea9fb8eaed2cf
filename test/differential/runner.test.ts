// Goal: the differential harness judges correctly without any server — float tolerance only for float OIDs, row
// order kept unless rowsort, `# gap:` blocks pass when refused with 0A000/42883 and fail on a wrong answer, a block
// expecting an error fails when PostgreSQL disagrees, and the corpus data is the same on every call.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { corpusInserts, CORPUS_TABLES } from './corpus-data.js'
import { judge, PassTally, resultDifference, type Outcome } from './runner.js'
import { parseSqlTest, type SqlTestBlock } from './sqltest.js'

function rows(oids: number[], values: Array<Array<string | null>>): Outcome {
  return { code: null, message: '', oids, fields: oids.map((_, i) => `c${i}`), rows: values }
}

function refused(code: string): Outcome {
  return { code, message: 'no', oids: [], fields: [], rows: [] }
}

const query = (gap: string | null = null): SqlTestBlock => ({ kind: 'query', rowsort: false, sql: 'SELECT 1', line: 1, nodedbOnly: false, gap })

describe('differential harness (no server)', () => {
  it('compares float4/float8/numeric to 1e-9 relative, everything else exactly', () => {
    assert.equal(resultDifference(rows([701], [['0.30000000000000004']]), rows([701], [['0.3']])), null)
    assert.equal(resultDifference(rows([1700], [['2.5']]), rows([1700], [['2.5000000000000000']])), null)
    assert.match(resultDifference(rows([701], [['0.3001']]), rows([701], [['0.3']])) ?? '', /row 1 column c0/)
    assert.match(resultDifference(rows([25], [['2.5']]), rows([25], [['2.50']])) ?? '', /row 1/)
    assert.match(resultDifference(rows([23], [['1']]), rows([20], [['1']])) ?? '', /columns/)
    assert.equal(resultDifference(rows([701], [['NaN']]), rows([701], [['NaN']])), null)
    assert.notEqual(resultDifference(rows([701], [[null]]), rows([701], [['0']])), null)
  })

  it('keeps row order: the same rows in another order differ', () => {
    const a = rows([23], [['1'], ['2']])
    const b = rows([23], [['2'], ['1']])
    assert.match(resultDifference(a, b) ?? '', /row 1/)
  })

  it('judges gaps: a refusal passes, a match notes the gap can go, a wrong answer or another error fails', () => {
    const theirs = rows([23], [['1']])
    assert.deepEqual(judge(query('planner'), refused('0A000'), theirs), { kind: 'gap' })
    assert.deepEqual(judge(query('planner'), refused('42883'), theirs), { kind: 'gap' })
    assert.equal(judge(query('planner'), rows([23], [['1']]), theirs).kind, 'matched')
    assert.match(JSON.stringify(judge(query('planner'), rows([23], [['1']]), theirs)), /can be removed/)
    assert.equal(judge(query('planner'), rows([23], [['2']]), theirs).kind, 'failed')
    assert.equal(judge(query('planner'), refused('XX000'), theirs).kind, 'failed')
    assert.equal(judge(query(), refused('0A000'), theirs).kind, 'failed', 'unannotated blocks must match')
  })

  it('judges expected errors against both nodedb and PostgreSQL', () => {
    const block: SqlTestBlock = { kind: 'statementError', code: '22012', sql: 'SELECT 1/0', line: 3, nodedbOnly: false, gap: null }
    assert.equal(judge(block, refused('22012'), refused('22012')).kind, 'matched')
    assert.equal(judge(block, refused('22003'), refused('22012')).kind, 'failed')
    assert.match(JSON.stringify(judge(block, refused('22012'), refused('22003'))), /fix the corpus/)
  })

  it('tallies per pass and lists each failure with file:line and the first line of SQL', () => {
    const tally = new PassTally('memtables')
    tally.record('a.sqltest:3', query(), { kind: 'matched' })
    tally.record('a.sqltest:6', query('x'), { kind: 'gap' })
    tally.record('a.sqltest:9', { ...query(), sql: 'SELECT 2\nFROM t' }, { kind: 'failed', error: 'boom' })
    assert.match(tally.summary(), /memtables: 1 matched, 1 refused as gaps, 1 failed\n {2}a\.sqltest:9 {2}SELECT 2\n {6}boom/)
  })

  it('parses # gap: annotations onto the next block only', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sqltest-')), 'g.sqltest')
    fs.writeFileSync(file, '# gap: no windows yet\nquery\nSELECT 1\n\nquery rowsort\nSELECT 2\n')
    const blocks = parseSqlTest(file).blocks
    assert.deepEqual(blocks.map((b) => b.gap), ['no windows yet', null])
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  })

  it('generates the same corpus data every time, rows out of time order, a few thousand rows', () => {
    assert.deepEqual(corpusInserts(), corpusInserts())
    assert.equal(CORPUS_TABLES.length, 2)
    const cpuRows = corpusInserts().filter((sql) => sql.startsWith('INSERT INTO cpu')).join('').match(/\('2024/g) ?? []
    assert.ok(cpuRows.length > 2000 && cpuRows.length < 5000, `${cpuRows.length} rows`)
    const times = corpusInserts()[0]!.match(/\('2024-[^']*'/g) ?? []
    assert.notDeepEqual(times, [...times].sort(), 'inserted out of time order')
  })
})
