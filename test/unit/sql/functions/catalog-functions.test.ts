// Goal: the catalog helper functions compute what PostgreSQL 15 does for the inputs psql and drivers give them.
// Method: direct calls, with expected values taken from a PostgreSQL 15 session (format_type, pg_size_pretty).
import assert from 'node:assert/strict'
import { formatArrayText, parseArrayText } from '../../../../sql/functions/array-text.js'
import { formatType, sizePretty } from '../../../../sql/functions/catalog-functions.js'

describe('sql/functions/catalog-functions', function () {
  it('format_type spells types with their modifiers as PostgreSQL does', function () {
    assert.equal(formatType(1043, 24), 'character varying(20)')
    assert.equal(formatType(1043, -1), 'character varying')
    assert.equal(formatType(1042, 14), 'character(10)')
    assert.equal(formatType(1700, ((10 << 16) | 2) + 4), 'numeric(10,2)')
    assert.equal(formatType(1184, -1), 'timestamp with time zone')
    assert.equal(formatType(1184, 3), 'timestamp(3) with time zone')
    assert.equal(formatType(1007, -1), 'integer[]')
    assert.equal(formatType(18, -1), '"char"')
    assert.equal(formatType(701, null), 'double precision')
    assert.equal(formatType(999999, -1), '???')
  })

  it('pg_size_pretty switches units at 10 kB and rounds half up', function () {
    assert.equal(sizePretty(0), '0 bytes')
    assert.equal(sizePretty(10239), '10239 bytes')
    assert.equal(sizePretty(10240), '10 kB')
    assert.equal(sizePretty(123456789), '118 MB')
    assert.equal(sizePretty(8192), '8192 bytes')
  })

  it('arrays round-trip through their text form with array_out quoting', function () {
    const elements = ['a', 'b c', null, '', 'NULL', 'q"x', 'back\\slash']
    const text = formatArrayText(elements)
    assert.equal(text, '{a,"b c",NULL,"","NULL","q\\"x","back\\\\slash"}')
    assert.deepEqual(parseArrayText(text), elements)
    assert.deepEqual(parseArrayText('{}'), [])
    assert.deepEqual(parseArrayText(' { 1 , 2 } '), ['1', '2'])
  })
})
