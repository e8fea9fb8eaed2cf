// Goal: timestamptz text in DateStyle SQL and Postgres — with the zone abbreviation PostgreSQL prints (tm_zone) — is
// PostgreSQL 15's for every zone both know, at instants from LMT to past the last transition; where nodedb cannot
// know the abbreviation exactly it refuses (0A000), and since 1970 that stays rare (before, the zone history Node's
// ICU bundles differs from the system's tzdata for ~100 linked zones: their offsets differ, so those are refused). Method: for each zone of PostgreSQL's
// pg_timezone_names that nodedb accepts as a TimeZone, PostgreSQL prints a row of instants in one query and nodedb's
// formatTimestamptz prints the same instants; compared as text.
import assert from 'node:assert/strict'
import { canonicalTimeZone } from '../../../../sql/expr/time-zone.js'
import { formatTimestamptz } from '../../../../sql/expr/timestamp.js'
import { isDbError } from '../../../../src/common/errors.js'
import { oracle } from './oracle.js'

/** LMT, the 20th century, DST edges, today, and instants past every zone's last transition (the TZif footer). */
const FIRST_MODERN = 3
const INSTANTS = ['1850-06-01 00:00:00+00', '1918-04-01 12:00:00+00', '1944-07-01 00:00:00+00', '1970-01-01 00:00:00+00',
  '1999-12-31 23:59:59.5+00', '2024-01-15 12:00:00+00', '2024-03-31 01:30:00+00', '2024-07-15 12:00:00+00',
  '2024-10-27 00:59:59+00', '2037-07-01 00:00:00+00', '2100-01-01 00:00:00+00']

describe('sql/time: DateStyle SQL and Postgres timestamptz text in every zone', function () {
  this.timeout(300_000)

  it('prints what PostgreSQL prints, zone abbreviation included, or refuses with 0A000 (rarely)', async function () {
    const client = await oracle()
    const zones = (await client.query<{ name: string }>('SELECT name FROM pg_timezone_names ORDER BY name')).rows.map((row) => row.name)
    const failures: string[] = []
    let refused = 0
    let compared = 0
    let modernRefused = 0
    let modernCompared = 0
    for (const zone of zones) {
      let setting: string
      try {
        setting = canonicalTimeZone(zone)
      } catch {
        continue // a zone nodedb does not accept as TimeZone (22023 there) prints nothing
      }
      for (const style of ['SQL, MDY', 'Postgres, DMY']) {
        await client.query(`SET TimeZone = '${zone}'; SET DateStyle = '${style}'`)
        const columns = INSTANTS.map((_, i) => `$${i + 1}::timestamptz::text`).join(', ')
        const expected = (await client.query({ text: `SELECT ${columns}`, values: INSTANTS, rowMode: 'array' })).rows[0] as string[]
        const micros = (await client.query({ text: `SELECT ${INSTANTS.map((_, i) => `(extract(epoch FROM $${i + 1}::timestamptz) * 1e6)::int8`).join(', ')}`, values: INSTANTS, rowMode: 'array' })).rows[0] as string[]
        micros.forEach((us, i) => {
          compared++
          if (i >= FIRST_MODERN) modernCompared++
          try {
            const actual = formatTimestamptz(Number(us), setting, style)
            if (actual !== expected[i]) failures.push(`${zone} ${style} ${INSTANTS[i]}: PostgreSQL ${expected[i]}, nodedb ${actual}`)
          } catch (thrown: unknown) {
            if (isDbError(thrown) && thrown.code === '0A000') {
              refused++
              if (i >= FIRST_MODERN) modernRefused++
            } else failures.push(`${zone} ${style} ${INSTANTS[i]}: ${String(thrown)}`)
          }
        })
      }
    }
    await client.query("RESET DateStyle; SET TimeZone = 'UTC'")
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${compared} differ`)
    assert.ok(compared > 5000, `compared ${compared}`)
    assert.ok(refused < compared / 20, `nodedb refused ${refused} of ${compared} with 0A000`)
    assert.ok(modernRefused < modernCompared / 200, `nodedb refused ${modernRefused} of ${modernCompared} since 1970 with 0A000`)
  })
})
