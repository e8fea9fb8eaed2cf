// Goal: every escaping rule and value type of the line protocol lands in SQL as written: escaped measurement, tag and
// field names, escaped tag values and strings, UTF-8, each boolean spelling, float syntaxes, int64 and uint64 edges,
// optional timestamps. Method: a table of (line, query, expected rows); each line is written over HTTP (so it is
// durable when the 204 comes) to its own measurement and read back with `pg`.
import assert from 'node:assert/strict'
import { httpRequest, useIlpServer } from '../helpers/ilp.js'

interface TypeCase {
  readonly name: string
  readonly lines: string
  readonly query: string
  readonly expected: ReadonlyArray<Record<string, unknown>>
}

const CASES: ReadonlyArray<TypeCase> = [
  { name: 'escaped tag value: space, comma, equals', lines: 'e1,host=a\\ b\\,c\\=d v=1 1',
    query: 'SELECT host FROM e1', expected: [{ host: 'a b,c=d' }] },
  { name: 'escaped measurement', lines: 'e2\\ x\\,y v=1 1', query: 'SELECT v FROM "e2 x,y"', expected: [{ v: 1 }] },
  { name: 'escaped tag key and field key', lines: 'e3,tag\\ k\\=1=v field\\ k\\,2=2 1',
    query: 'SELECT "tag k=1" AS t, "field k,2" AS f FROM e3', expected: [{ t: 'v', f: 2 }] },
  { name: 'string with escaped quote and backslash, comma and equals inside', lines: 'e4 s="he said \\"hi\\", a=b \\\\ ok" 1',
    query: 'SELECT s FROM e4', expected: [{ s: 'he said "hi", a=b \\ ok' }] },
  { name: 'UTF-8 in names and values', lines: 'mesuré,hôte=東京 température=21.5,note="ünïcødé 🚀" 1',
    query: 'SELECT "hôte" AS h, "température" AS t, note FROM "mesuré"', expected: [{ h: '東京', t: 21.5, note: 'ünïcødé 🚀' }] },
  { name: 'every boolean spelling', lines: ['t', 'T', 'true', 'True', 'TRUE', 'f', 'F', 'false', 'False', 'FALSE']
    .map((b, i) => `e6 b=${b} ${i + 1}`).join('\n'),
  query: 'SELECT b FROM e6 ORDER BY time', expected: [true, true, true, true, true, false, false, false, false, false].map((b) => ({ b })) },
  { name: 'float syntaxes', lines: ['1', '-1.5', '1e3', '1.5E-2', '-0', '.5', '1.'].map((f, i) => `e7 f=${f} ${i + 1}`).join('\n'),
    query: 'SELECT f FROM e7 ORDER BY time', expected: [1, -1.5, 1000, 0.015, -0, 0.5, 1].map((f) => ({ f })) },
  { name: 'int64 edges', lines: 'e8 i=-9223372036854775808i 1\ne8 i=9223372036854775807i 2\ne8 i=0i 3',
    query: 'SELECT i FROM e8 ORDER BY time', expected: ['-9223372036854775808', '9223372036854775807', '0'].map((i) => ({ i })) },
  { name: 'uint64 within int8', lines: 'e9 u=0u 1\ne9 u=9223372036854775807u 2',
    query: 'SELECT u FROM e9 ORDER BY time', expected: [{ u: '0' }, { u: '9223372036854775807' }] },
  { name: 'empty string field', lines: 'e10 s="" 1', query: 'SELECT s FROM e10', expected: [{ s: '' }] },
  { name: 'tags and fields appear later: earlier rows read NULL', lines: 'e11 a=1 1\ne11,t=x a=2,b="y" 2',
    query: 'SELECT a, t, b FROM e11 ORDER BY time', expected: [{ a: 1, t: null, b: null }, { a: 2, t: 'x', b: 'y' }] },
  { name: 'duplicate field: last wins', lines: 'e12 v=1,v=2 1', query: 'SELECT v FROM e12', expected: [{ v: 2 }] },
  { name: 'negative and pre-1970 timestamps', lines: 'e13 v=1 -1', query: 'SELECT time FROM e13',
    expected: [{ time: new Date(-1000) }] },
  { name: 'comments, blank lines and CRLF', lines: '# a comment\n\ne14 v=1 1\r\ne14 v=2 2\r\n',
    query: 'SELECT v FROM e14 ORDER BY time', expected: [{ v: 1 }, { v: 2 }] },
]

describe('integration: ILP escaping and types read back over SQL (issue 5)', function () {
  this.timeout(60_000)
  const fixture = useIlpServer('ilp-types')

  for (const testCase of CASES) {
    it(testCase.name, async function () {
      // precision=s keeps timestamps readable; every case's first line is written at t = 1 s.
      const answer = await httpRequest(fixture.server.httpPort, {
        method: 'POST', path: '/api/v2/write?org=o&bucket=b&precision=s', body: Buffer.from(testCase.lines, 'utf8'),
      })
      assert.equal(answer.status, 204, answer.body)
      assert.deepStrictEqual(await fixture.sql.rows(testCase.query), testCase.expected)
    })
  }

  it('varchar(n), char(n), uuid and bytea columns of a SQL table take ILP values exactly as INSERT takes them', async function () {
    await fixture.sql.rows('CREATE TABLE typed_a (time TIMESTAMPTZ NOT NULL, v VARCHAR(3), c CHAR(3), id UUID, tg VARCHAR(2), b BYTEA)')
    await fixture.sql.rows('CREATE TABLE typed_b (time TIMESTAMPTZ NOT NULL, v VARCHAR(3), c CHAR(3), id UUID, tg VARCHAR(2), b BYTEA)')
    const rows: ReadonlyArray<{ tg: string | null; v?: string; c?: string; id?: string; b?: string }> = [
      { tg: 'ab', v: 'abc', c: 'x', id: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' }, { tg: 'abc', v: 'a' }, { tg: null, c: 'xyzw' },
      { tg: null, id: 'nope' }, { tg: null, v: 'ab   ', c: 'q  ' }, { tg: 'x ', id: '{00000000-0000-0000-0000-00000000000F}' },
      { tg: null, v: 'é€' }, { tg: null, v: 'abcd' }, { tg: null, b: 'abc' }, { tg: null, b: '\\x4' }, { tg: null, b: '\\x0aFF' },
    ]
    const lines = rows.map((row, i) => {
      const fields = (['v', 'c', 'id', 'b'] as const).flatMap((name) => (row[name] === undefined ? [] : [`${name}="${row[name]!.replace(/\\/g, '\\\\')}"`]))
      return `typed_a${row.tg === null ? '' : `,tg=${row.tg.replace(/ /g, '\\ ')}`} ${fields.join(',')} ${i + 1}`
    })
    const answer = await httpRequest(fixture.server.httpPort, {
      method: 'POST', path: '/write?db=x&precision=s', body: Buffer.from(lines.join('\n'), 'utf8'),
    })
    assert.equal(answer.status, 400, answer.body)
    let refusedCount = 0
    for (const [i, row] of rows.entries()) {
      const literal = (value: string | null | undefined): string => (value === undefined || value === null ? 'NULL' : `'${value}'`)
      try {
        await fixture.sql.rows(`INSERT INTO typed_b VALUES (to_timestamp(${i + 1}), ${literal(row.v)}, ${literal(row.c)}, ${literal(row.id)}, ${literal(row.tg)}, ${literal(row.b)})`)
      } catch {
        refusedCount++
      }
    }
    assert.equal(refusedCount, 5)
    assert.match(answer.body, new RegExp(`dropped=${refusedCount}`))
    const read = (table: string) => fixture.sql.rows(`SELECT time, v, c, c || '|' AS cc, octet_length(c) AS n, id, tg, b FROM ${table} ORDER BY time`)
    assert.deepStrictEqual(await read('typed_a'), await read('typed_b'))
  })

  it('a line without timestamp gets the arrival time', async function () {
    const before = Date.now()
    const answer = await httpRequest(fixture.server.httpPort, { method: 'POST', path: '/write?db=x', body: 'now v=1' })
    assert.equal(answer.status, 204, answer.body)
    const time = (await fixture.sql.rows('SELECT time FROM now'))[0]?.['time'] as Date
    assert.ok(time.getTime() >= before - 1 && time.getTime() <= Date.now() + 1, String(time))
  })
})
