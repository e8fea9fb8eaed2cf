// Goal: a Go application on pgx v5 (Grafana's driver, and most Go services) gets from nodedb exactly what PostgreSQL 15
// gives it over the extended protocol (issue 9, ../shared/clients.md §0.3): parameter types inferred at Describe S
// (0 OIDs in Parse), binary parameters of every type pgx encodes in binary, binary results per column as pgx's
// FormatCodeForOID asks, NoData for an INSERT, a cached named statement reused, errors skipping to Sync.
// Method: test/clients/pgx-wire.ts speaks pgx's message sequence over pg-protocol's serializer and parser, against
// nodedb and a real PostgreSQL holding the same rows (test/clients/grafana-fixture.ts); answers compare byte for byte.
import assert from 'node:assert/strict'
import { assertSameAnswer, startGrafanaPair, type GrafanaPair } from '../clients/grafana-fixture.js'
import { BINARY_CODECS_PENDING, timestamptzBinary } from '../clients/pgx-wire.js'

// Numeric parameters are sent in text below: binary numeric input is not decoded yet either (BINARY_CODECS_PENDING).

function int(value: number | bigint, bytes: 2 | 4 | 8): Buffer {
  const out = Buffer.alloc(bytes)
  if (bytes === 2) out.writeInt16BE(Number(value))
  else if (bytes === 4) out.writeInt32BE(Number(value))
  else out.writeBigInt64BE(BigInt(value))
  return out
}

function float(value: number, bytes: 4 | 8): Buffer {
  const out = Buffer.alloc(bytes)
  if (bytes === 4) out.writeFloatBE(value)
  else out.writeDoubleBE(value)
  return out
}

/** pgx's interval: int64 µs, int32 days, int32 months. */
function interval(us: bigint, days: number, months: number): Buffer {
  return Buffer.concat([int(us, 8), int(days, 4), int(months, 4)])
}

/** pgx's date: int32 days since 2000-01-01. */
function date(iso: string): Buffer {
  return int((Date.parse(iso) - Date.UTC(2000, 0, 1)) / 86_400_000, 4)
}

describe('integration: pgx-style extended protocol with binary formats against PostgreSQL 15 (issue 9)', function () {
  this.timeout(120000)
  let pair: GrafanaPair

  before(async function () {
    pair = await startGrafanaPair('pgx-clients', BINARY_CODECS_PENDING)
  })

  after(async function () {
    await pair.stop()
  })

  it('binary parameters and results of every type pgx encodes in binary', async function () {
    const text = 'SELECT $1::int2 AS a, $2::int4 AS b, $3::int8 AS c, $4::float4 AS d, $5::float8 AS e, $6::bool AS f, ' +
      '$7::timestamptz AS g, $8::timestamp AS h, $9::date AS i, $10::interval AS j, $11::text AS k, $12::numeric AS l, $13::varchar AS m'
    const params = [int(-7, 2), int(2_147_483_647, 4), int(-(2n ** 62n), 8), float(0.1, 4), float(-1.5e300, 8), Buffer.from([1]),
      timestamptzBinary('1999-12-31T23:59:59.999Z'), timestamptzBinary('2024-02-29T12:00:00.000001Z'), date('1970-01-01T00:00:00Z'),
      interval(3_723_000_004n, -2, 14), Buffer.from('héllo'), '-12.3400', Buffer.from('v')]
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(text, params))
    assert.deepEqual(ours.fields?.map((field) => field.format), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
  })

  it('parameter types inferred at Describe S: time > $1 AND host = $2 LIMIT $3 is [1184, 25, 20]', async function () {
    const text = 'SELECT time, host, usage_user, n, i FROM gcpu WHERE time > $1 AND host = $2 ORDER BY time LIMIT $3'
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(text, [timestamptzBinary('2024-01-01T01:00:00Z'), 'h0', int(4, 8)]))
    assert.deepEqual(ours.prepared?.paramOids, [1184, 25, 20])
  })

  it('the cached statement is reused with new parameters (no second Parse)', async function () {
    const text = 'SELECT time, host, usage_user, n, i FROM gcpu WHERE time > $1 AND host = $2 ORDER BY time LIMIT $3'
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(text, [timestamptzBinary('2024-01-01T00:30:00Z'), 'h2', int(3, 8)]))
    assert.equal(ours.prepared, undefined)
    assert.equal(ours.flow, 'bindComplete rowDescription dataRow commandComplete readyForQuery')
  })

  it('an INSERT with binary parameters: NoData at Describe, INSERT 0 1, the row reads back', async function () {
    const insert = 'INSERT INTO gcpu (time, host, usage_user, n, i) VALUES ($1, $2, $3, $4, $5)'
    const ours = await assertSameAnswer(pair, (wire) => wire.cached(insert, [timestamptzBinary('2024-03-01T00:00:00.25Z'), 'pgx',
      float(42.125, 8), int(9_007_199_254_740_993n, 8), int(-1, 4)]), { minRows: 0 })
    assert.deepEqual(ours.prepared?.paramOids, [1184, 25, 701, 20, 23])
    assert.equal(ours.tag, 'INSERT 0 1')
    await assertSameAnswer(pair, (wire) => wire.cached('SELECT * FROM gcpu WHERE host = $1', ['pgx']))
  })

  it('aggregates over binary-bound ranges: sum/avg/count types as PostgreSQL types them', async function () {
    const text = 'SELECT host, count(*), sum(i), sum(n), avg(usage_user), min(time), max(epoch_ns) FROM gcpu ' +
      'WHERE time BETWEEN $1 AND $2 GROUP BY host ORDER BY host'
    await assertSameAnswer(pair, (wire) => wire.cached(text, [timestamptzBinary('2024-01-01T00:10:00Z'), timestamptzBinary('2024-01-01T02:00:00Z')]))
  })

  it('an error in a Bind value is 22P02 on both, and the connection goes on', async function () {
    const text = 'SELECT $1::int4 + 1 AS x'
    const [ours, theirs] = [await pair.ours.cached(text, ['not a number']), await pair.theirs.cached(text, ['not a number'])]
    assert.equal(theirs.error?.code, '22P02')
    assert.equal(ours.error?.code, '22P02')
    assert.match(ours.flow, /error readyForQuery$/)
    await assertSameAnswer(pair, (wire) => wire.cached(text, [int(41, 4)]))
  })

  // PostgreSQL answers ErrorResponse to the Bind itself (clients.md §0.3: "a Bind input error gave 1 E Z").
  it('the Bind error comes where PostgreSQL sends it', async function () {
    await assertSameAnswer(pair, (wire) => wire.cached('SELECT $1::int4 - 1 AS y', ['x']), { errorCode: '22P02' })
  })
})
