// Goal: the ILP TCP input budget wakes paused connections in order once releases bring it under, never a cancelled
// one, tracks its high-water mark, and refuses to release more than was charged. Method: the real class.
// (The budget against real sockets and a real server: test/integration/ilp-tcp-budget.test.ts.)
import assert from 'node:assert/strict'
import { IlpTcpBudget } from '../../../../wire/ilp/tcp-budget.js'

describe('wire/ilp/tcp-budget', function () {
  it('wakes waiting connections in order once releases bring it under the budget', function () {
    const budget = new IlpTcpBudget(100)
    const woken: string[] = []
    budget.charge(60)
    budget.waitForRoom(() => woken.push('early')) // room left: resumes at once
    budget.charge(50)
    assert.ok(budget.isSpent)
    budget.waitForRoom(() => woken.push('a'))
    budget.waitForRoom(() => woken.push('b'))
    const cancelled = (): void => { woken.push('cancelled') }
    budget.waitForRoom(cancelled)
    budget.cancel(cancelled)
    budget.release(5)
    assert.deepEqual(woken, ['early'], 'still at the budget: nobody wakes')
    budget.release(10)
    assert.deepEqual(woken, ['early', 'a', 'b'])
    assert.equal(budget.bytes, 95)
    assert.equal(budget.bytesPeak, 110)
    assert.equal(budget.pauseCount, 4)
    assert.throws(() => budget.release(96), /release of 96/)
  })
})
