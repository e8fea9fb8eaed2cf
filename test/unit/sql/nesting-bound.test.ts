// Goal: sql/parse/nesting-bound gives an upper bound on a text's nesting that ignores quoted text and comments and
// treats lists and AND/OR chains as flat, as PostgreSQL's tree does. Method: hand-made texts with known shapes.
import assert from 'node:assert/strict'
import { nestingBound } from '../../../sql/parse/nesting-bound.js'

describe('sql/parse/nesting-bound', function () {
  it('counts brackets and the tokens of each open span', function () {
    assert.equal(nestingBound('SELECT 1'), 2)
    assert.equal(nestingBound('SELECT ((1))'), 4)
    assert.equal(nestingBound(`SELECT ${'1+'.repeat(100)}1`), 202)
  })

  it('resets at commas, AND, OR and semicolons', function () {
    assert.equal(nestingBound(`SELECT ${Array.from({ length: 1000 }, () => 'a').join(', ')}`), 2)
    assert.equal(nestingBound(`SELECT 1 WHERE ${Array.from({ length: 1000 }, () => 'a = 1').join(' OR ')}`), 6)
    assert.equal(nestingBound(`${'SELECT 1; '.repeat(1000)}`), 2)
  })

  it('skips strings, quoted identifiers, dollar quotes and (nested) comments', function () {
    const hidden = '(((( 1+1+1+1 ,,,, ))))'
    // A quoted run is one token (3: SELECT, it, x); a comment none (2); E'' is the word E and a string (4).
    for (const text of [`'${hidden}'`, `"${hidden}"`, `$$${hidden}$$`, `$tag$${hidden}$tag$`]) assert.equal(nestingBound(`SELECT ${text} x`), 3, text)
    for (const text of [`/* /* ${hidden} */ ${hidden} */`, `-- ${hidden}\n`]) assert.equal(nestingBound(`SELECT ${text} x`), 2, text)
    assert.equal(nestingBound(`SELECT E'\\'${hidden}' x`), 4)
    assert.equal(nestingBound('SELECT $1 + $2'), 4)
  })
})
