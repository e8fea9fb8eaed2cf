// Goal: the SCRAM-SHA-256 server and the verifier builder agree with RFC 7677's worked example (an oracle we did not
// write): the same verifier from "pencil", the same server-first and server-final messages, and a changed proof
// or a doomed (unknown-user) exchange fails. Method: the RFC's messages fed to ScramExchange with its server nonce.
import assert from 'node:assert/strict'
import { ScramExchange } from '../../../wire/pg/auth-scram.js'
import { buildScramVerifier, checkCleartext, parseVerifier, formatVerifier } from '../../../wire/pg/auth-verifier.js'

// RFC 7677 §3.
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO'
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0'
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ='
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='

async function rfcVerifier(): Promise<Awaited<ReturnType<typeof buildScramVerifier>>> {
  return buildScramVerifier(Buffer.from('pencil'), { salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), iterations: 4096 })
}

describe('wire/pg/auth-scram: RFC 7677 example', function () {
  it('answers the RFC\'s client messages with the RFC\'s server messages', async function () {
    const exchange = new ScramExchange(await rfcVerifier(), false, () => SERVER_NONCE)
    assert.equal(exchange.first(CLIENT_FIRST), SERVER_FIRST)
    assert.equal(exchange.final(CLIENT_FINAL), SERVER_FINAL)
  })

  it('a changed proof, or a doomed exchange with the right proof, fails', async function () {
    const verifier = await rfcVerifier()
    const wrong = new ScramExchange(verifier, false, () => SERVER_NONCE)
    wrong.first(CLIENT_FIRST)
    assert.equal(wrong.final(CLIENT_FINAL.replace('p=dH', 'p=dG')), null)
    const doomed = new ScramExchange(verifier, true, () => SERVER_NONCE)
    doomed.first(CLIENT_FIRST)
    assert.equal(doomed.final(CLIENT_FINAL), null)
  })

  it('the verifier round-trips through its text form and checks the cleartext password', async function () {
    const verifier = await rfcVerifier()
    const text = formatVerifier(verifier)
    assert.deepEqual(parseVerifier(text), verifier)
    assert.equal(await checkCleartext(verifier, Buffer.from('pencil'), 'user'), true)
    assert.equal(await checkCleartext(verifier, Buffer.from('pencil '), 'user'), false)
    assert.equal(parseVerifier('pencil'), null)
  })
})
