// Goal: COPY's text and CSV parsers read back exactly what COPY TO prints, whatever the field contents and however
// the bytes are cut into CopyData messages. Method: fast-check (seeded) rows of strings with tabs, commas, quotes,
// backslashes, CR/LF, non-ASCII and NULLs, printed by wire/pg/copy-out.ts (itself compared byte for byte with
// PostgreSQL 15 in test/integration/copy.test.ts), cut at random byte offsets, parsed by sql/exec/copy-text.ts.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { readCopyOptions } from '../../../sql/exec/copy-options.js'
import { CopyTextParser } from '../../../sql/exec/copy-text.js'
import type { SqlCopyOption } from '../../../sql/parse/ast.js'
import { copyCsvValue, copyTextValue } from '../../../wire/pg/copy-out.js'

const field = fc.option(fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', '\t', ',', '"', '\\', '\n', '\r', '.', 'N', 'é', '✓') }), { nil: null })
const rows = fc.array(fc.array(field, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 20 })

function parse(options: ReadonlyArray<SqlCopyOption>, bytes: Buffer, cuts: ReadonlyArray<number>): Array<Array<string | null>> {
  const parsed: Array<Array<string | null>> = []
  const parser = new CopyTextParser(readCopyOptions(options, true), [], [], (fields) => parsed.push([...fields]))
  let at = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    parser.push(bytes.subarray(at, Math.max(at, cut)))
    at = Math.max(at, cut)
  }
  parser.push(bytes.subarray(at))
  parser.end()
  return parsed
}

describe('sql/exec/copy-text: reads what COPY TO prints', function () {
  it('text format', function () {
    fc.assert(fc.property(rows, fc.array(fc.nat(2000)), (generated, cuts) => {
      const text = generated.map((row) => row.map((value) => (value === null ? '\\N' : copyTextValue(value, '\t'))).join('\t')).join('\n')
      assert.deepEqual(parse([], Buffer.from(`${text}\n`), cuts), generated)
    }), { numRuns: 300, seed: 9 })
  })

  it('CSV format', function () {
    const format = { delimiter: ',', nullString: '', quote: '"', escape: '"', header: false, forceQuote: [] }
    const options: SqlCopyOption[] = [{ name: 'format', value: { kind: 'text', text: 'csv' }, pos: 0 }]
    fc.assert(fc.property(rows, fc.array(fc.nat(2000)), (generated, cuts) => {
      const text = generated.map((row) => row.map((value) => (value === null ? '' : copyCsvValue(value, format, false, false))).join(',')).join('\n')
      assert.deepEqual(parse(options, Buffer.from(`${text}\n`), cuts), generated)
    }), { numRuns: 300, seed: 9 })
  })
})
