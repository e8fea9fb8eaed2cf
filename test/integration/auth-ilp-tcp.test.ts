// Goal: with --ilp-auth-file the ILP TCP port runs QuestDB's challenge handshake (key id, 512-character challenge,
// ECDSA P-256 SHA-256 signature in DER or P1363) before it reads a line: QuestDB's own Node.js client writes, a
// wrong key, an unknown key id, a zero signature or a client that skips the handshake is disconnected and writes
// nothing; a non-loopback --host without ILP keys refuses to start. Method: keys made in the test with node:crypto,
// the real server process, @questdb/nodejs-client and a raw socket; rows checked over pg.
import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { Sender } from '@questdb/nodejs-client'
import { ILP_TCP_AUTH_LINE_BYTES_MAX } from '../../src/common/limits.js'
import { useIlpServer } from '../helpers/ilp.js'
import { makeTempDir, removeDir, runNodedb } from '../helpers/server-process.js'

interface TestKey { readonly privateKey: KeyObject; readonly x: string; readonly y: string; readonly d: string }

function makeKey(): TestKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = privateKey.export({ format: 'jwk' })
  assert.ok(jwk.x !== undefined && jwk.y !== undefined && jwk.d !== undefined)
  return { privateKey, x: jwk.x, y: jwk.y, d: jwk.d }
}

const writer = makeKey()
const stranger = makeKey()
const keyDir = makeTempDir('ilp-keys')
const authFile = path.join(keyDir, 'ilp-auth.txt')
fs.writeFileSync(authFile, `# key_id key_type x y\nwriter1 ec-p-256-sha256 ${writer.x} ${writer.y}\n`)

interface RawOutcome { readonly challenge: Buffer }

/** Key id, then the signature `signOf` makes for the challenge followed by `lines` in one write; resolves on close. */
function rawHandshake(port: number, keyId: string, signOf: (challenge: Buffer) => Buffer, lines: string): Promise<RawOutcome> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${keyId}\n`))
    let received = Buffer.alloc(0)
    let challenge: Buffer | null = null
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      const newline = received.indexOf(10)
      if (challenge !== null || newline < 0) return
      challenge = received.subarray(0, newline)
      socket.end(`${signOf(challenge).toString('base64')}\n${lines}`)
    })
    socket.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error) })
    socket.on('close', () => (challenge === null ? reject(new Error('closed before the challenge')) : resolve({ challenge })))
  })
}

const der = (key: KeyObject) => (challenge: Buffer): Buffer => sign('sha256', challenge, key)
const p1363 = (key: KeyObject) => (challenge: Buffer): Buffer => sign('sha256', challenge, { key, dsaEncoding: 'ieee-p1363' })

describe('integration: ILP TCP authentication (issue 9)', function () {
  this.timeout(60_000)
  after(() => removeDir(keyDir))
  const fixture = useIlpServer('ilp-tcp-auth', ['--ilp-auth-file', authFile])

  it('QuestDB\'s Node.js client authenticates with its JWK token and writes', async function () {
    const sender = await Sender.fromConfig(
      `tcp::addr=127.0.0.1:${fixture.server.ilpPort};username=writer1;token=${writer.d};auto_flush=off`, { log: () => undefined })
    await sender.connect()
    for (let i = 0; i < 3; i++) await sender.table('quest_auth').symbol('via', 'questdb').floatColumn('v', i).at(i + 1, 'ms')
    await sender.flush()
    await sender.close()
    await fixture.sql.waitFor('SELECT count(*) FROM quest_auth', '3')
  })

  it('a raw client signing in DER or P1363 gets a 512-character printable challenge; its lines follow the signature', async function () {
    // Each client ends its stream right after signature and lines (FIN in the same flight): ten rounds each, since
    // that used to race the verification and lose the lines.
    const outcomes: RawOutcome[] = []
    for (let i = 0; i < 10; i++) {
      outcomes.push(await rawHandshake(fixture.server.ilpPort, 'writer1', der(writer.privateKey), `raw_auth,enc=der v=${i} ${i + 1}\n`))
      outcomes.push(await rawHandshake(fixture.server.ilpPort, 'writer1', p1363(writer.privateKey), `raw_auth,enc=p1363 v=${i} ${i + 1}\n`))
    }
    for (const { challenge } of outcomes) {
      assert.equal(challenge.length, 512)
      assert.ok(challenge.every((byte) => byte >= 0x20 && byte <= 0x7e))
    }
    assert.equal(new Set(outcomes.map(({ challenge }) => challenge.toString('latin1'))).size, outcomes.length)
    await fixture.sql.waitFor('SELECT count(*) FROM raw_auth', '20')
  })

  it('a wrong key, an unknown key id or a zero signature is disconnected and writes nothing', async function () {
    const zero = (): Buffer => Buffer.alloc(64)
    const attempts: Array<[string, (challenge: Buffer) => Buffer]> = [
      ['writer1', der(stranger.privateKey)], ['nobody', der(writer.privateKey)], ['writer1', zero],
      ['writer1', () => Buffer.from('not a signature')],
    ]
    for (const [keyId, signOf] of attempts) {
      const { challenge } = await rawHandshake(fixture.server.ilpPort, keyId, signOf, 'denied_auth v=1 1\n')
      // An unknown key id is challenged like a known one: the answer does not tell which ids exist.
      assert.equal(challenge.length, 512, keyId)
    }
    assert.equal(await fixture.sql.scalar('SELECT count(*) FROM denied_auth'), null)
  })

  it('a key id line longer than ILP_TCP_AUTH_LINE_BYTES_MAX is disconnected without a challenge', async function () {
    const received = await new Promise<number>((resolve, reject) => {
      let byteCount = 0
      const socket = net.connect(fixture.server.ilpPort, '127.0.0.1', () => socket.write('k'.repeat(ILP_TCP_AUTH_LINE_BYTES_MAX + 1)))
      socket.on('data', (chunk: Buffer) => { byteCount += chunk.length })
      socket.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error) })
      socket.on('close', () => resolve(byteCount))
    })
    assert.equal(received, 0)
  })

  it('a client that skips the handshake (plain ILP) writes nothing', async function () {
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(fixture.server.ilpPort, '127.0.0.1', () => socket.end('plain_denied v=1 1\nplain_denied v=2 2\n'))
      socket.on('error', reject)
      socket.on('close', () => resolve())
      socket.resume()
    })
    assert.equal(await fixture.sql.scalar('SELECT count(*) FROM plain_denied'), null)
  })

  it('a non-loopback --host without ILP keys, or a bad key file, refuses to start with one line', async function () {
    const dataDir = makeTempDir('ilp-auth-refuse')
    try {
      const common = ['serve', '--data-dir', dataDir, '--pg-port', '0', '--ilp-port', '0', '--http-port', '0']
      const exposed = await runNodedb([...common, '--host', '0.0.0.0', '--auth', 'password', '--users-file', authFile, '--http-token', 't'])
      assert.notEqual(exposed.code, 0)
      assert.equal(exposed.output, 'nodedb: refusing to listen on 0.0.0.0 (not a loopback address) without authentication: set --ilp-auth-file\n')
      const badFile = path.join(dataDir, 'bad-keys.txt')
      fs.writeFileSync(badFile, 'writer1 rsa x y\n')
      const bad = await runNodedb([...common, '--ilp-auth-file', badFile])
      assert.notEqual(bad.code, 0)
      assert.equal(bad.output, `nodedb: ${badFile}:1: expected "key_id ec-p-256-sha256 x y"\n`)
    } finally {
      removeDir(dataDir)
    }
  })
})
