// Goal: to_number(text, text) reads every template and input as PostgreSQL 15's numeric_to_number does: the same
// numeric text (scale included) or the same SQLSTATE. Method: seeded random templates and inputs — one mix of every
// template keyword, literal, quoted text and multi-byte character, one dense in digits, points, separators and signs
// so most calls succeed — each run on a throwaway PostgreSQL and on nodedb's to_number, plus the documentation's examples.
import assert from 'node:assert/strict'
import { allScalarFunctions } from '../../../../sql/functions/registry.js'
import { divergences, runOnPostgres, type Call, useOracle } from './oracle.js'

const ANY_PARTS = {
  template: ['9', '9', '9', '0', '.', 'D', ',', 'G', 'S', 'MI', 'PL', 'SG', 'PR', 'FM', 'L', 'TH', 'th', 'V', 'B', 'C', 'x', ' ', '"ab"', 'E', 'EEEE', 'RN', '$', 'é', 'SP', 'fm', 's', 'mi', '\\"'],
  input: ['1', '2', '3', '0', '9', '.', ',', '-', '+', ' ', '<', '>', 'a', '$', 'é', 'e', '12', '345', '-1', '1.5'],
}
const DENSE_PARTS = {
  template: ['9', '9', '9', '9', '0', '0', '.', ',', 'G', 'D', 'S', 'MI', 'PL', 'SG', 'PR', 'FM', 'V', 'L', ' '],
  input: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '0', '.', ',', '-', '+', ' ', '<', '>'],
}

/** A linear congruential generator: the same calls on every run. */
function randomCalls(parts: { template: string[]; input: string[] }, seed: number, count: number): Call[] {
  let state = seed
  const next = (): number => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 }
  const pick = (from: string[]): string => from[Math.floor(next() * from.length)] ?? ''
  const calls: Call[] = []
  for (let i = 0; i < count; i++) {
    const template = Array.from({ length: 1 + Math.floor(next() * 7) }, () => pick(parts.template)).join('')
    const input = Array.from({ length: Math.floor(next() * 7) }, () => pick(parts.input)).join('')
    calls.push(['to_number', ['text', 'text'], [input, template]])
  }
  return calls
}

const DOCUMENTED: Call[] = [
  ['12,454.8-', '99G999D9S'], ['-34,338,492', '99G999G999'], ['<564646.654564>', '999999.999999PR'], ['$ 1,234.56', 'L9,999.99'],
  ['12345', '999V99'], ['1 2 3', '9 9 9'], ['1234', '99'], ['5.5555', 'FM9.99'], ['', '9'], ['12', ''], ['12', '.'],
].map(([input, template]) => ['to_number', ['text', 'text'], [input ?? '', template ?? '']])

describe('to_number against PostgreSQL', function () {
  this.timeout(300_000)
  const oracle = useOracle()

  it('answers the documented examples as PostgreSQL does', async function () {
    assert.deepEqual(await divergences(oracle.client, allScalarFunctions(), DOCUMENTED), [])
  })

  for (const [title, parts, seed] of [['any template keyword, literal and input character', ANY_PARTS, 7], ['dense numbers and signs', DENSE_PARTS, 11]] as const) {
    it(`reads 2,000 random calls (${title}) as PostgreSQL does`, async function () {
      const calls = randomCalls({ template: [...parts.template], input: [...parts.input] }, seed, 2000)
      let succeeded = 0
      for (const call of calls.slice(0, 200)) if (!(await runOnPostgres(oracle.client, call)).startsWith('ERROR')) succeeded++
      assert.ok(succeeded >= 10, `too few calls PostgreSQL answers with a number (${succeeded} of 200): the generator tests only errors`)
      assert.deepEqual(await divergences(oracle.client, allScalarFunctions(), calls), [])
    })
  }
})
