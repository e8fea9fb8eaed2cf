// Goal: --auth password | md5 | scram-sha-256 authenticate pg clients against the users file as PostgreSQL would:
// verifiers made by `nodedb user set` and by PostgreSQL itself (read from a real PostgreSQL's pg_authid, the
// oracle) let node-postgres and psql in with the right password; a wrong password and an unknown user both end
// with FATAL 28P01 `password authentication failed for user "x"` after the whole exchange, and an unknown user's
// SCRAM exchange looks like a real one (same request, stable salt). Method: the real server process, pg, psql,
// and pg-protocol's serializer/parser for what no driver sends (SCRAM-SHA-256-PLUS, channel-binding flags).
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { serialize } from 'pg-protocol'
import { PG_UNAUTHENTICATED_BYTES_MAX } from '../../src/common/limits.js'
import { startPostgres } from '../helpers/postgres.js'
import { MAIN_JS, makeTempDir, removeDir, runNodedb, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { errorOf, names, WireClient } from '../unit/wire/wire-client.js'

interface TestUser { readonly name: string; readonly password: string; readonly verifier: 'scram' | 'md5' }

// Made by `nodedb user set` (the first three) and by PostgreSQL's CREATE ROLE (the rest).
const USERS: ReadonlyArray<TestUser> = [
  { name: 'alice', password: 'alice-pw', verifier: 'scram' },
  { name: 'bob', password: 'bob-pw', verifier: 'md5' },
  { name: 'uni', password: 'ﬁ-pässwörd\u00A0x', verifier: 'scram' },
  { name: 'ora_scram', password: 'pg-scram-pw', verifier: 'scram' },
  { name: 'ora_md5', password: 'pg-md5-pw', verifier: 'md5' },
  { name: 'ora_uni', password: 'ﬁ-ünï\u2003code', verifier: 'scram' },
]

function setUser(usersFile: string, user: TestUser): void {
  const args = [MAIN_JS, 'user', 'set', user.name, '--users-file', usersFile, ...(user.verifier === 'md5' ? ['--verifier', 'md5'] : [])]
  const result = spawnSync(process.execPath, args, { input: `${user.password}\n`, encoding: 'utf8' })
  assert.equal(result.status, 0, result.stderr)
  assert.equal(result.stdout, `user "${user.name}" set in ${usersFile}\n`)
}

/** The verifiers PostgreSQL itself stores for the ora_* users, as users-file lines. */
async function postgresVerifierLines(): Promise<string> {
  const oracle = await startPostgres()
  const client = new pg.Client({ host: '127.0.0.1', port: oracle.port, user: 'postgres', database: 'postgres' })
  try {
    await client.connect()
    for (const user of USERS.filter((u) => u.name.startsWith('ora_'))) {
      await client.query(`SET password_encryption = '${user.verifier === 'md5' ? 'md5' : 'scram-sha-256'}'`)
      await client.query(`CREATE ROLE ${user.name} LOGIN PASSWORD '${user.password}'`)
    }
    const rows = (await client.query("SELECT rolname, rolpassword FROM pg_authid WHERE rolname LIKE 'ora\\_%' AND rolpassword IS NOT NULL")).rows
    return rows.map((row: { rolname: string; rolpassword: string }) => `"${row.rolname}" "${row.rolpassword}"\n`).join('')
  } finally {
    await client.end()
    oracle.stop()
  }
}

async function connectAs(port: number, user: string, password: string): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database: 'db' })
  try {
    await client.connect()
    return String((await client.query('SELECT current_user AS u')).rows[0].u)
  } finally {
    await client.end().catch(() => undefined)
  }
}

async function refusal(port: number, user: string, password: string): Promise<{ code: string; message: string; severity: string }> {
  const error: unknown = await connectAs(port, user, password).then(() => null, (thrown: unknown) => thrown)
  assert.ok(error instanceof Error, `${user} should have been refused`)
  const { code, severity } = error as unknown as { code: string; severity: string }
  return { code, message: error.message, severity }
}

function psql(port: number, user: string, password: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('psql', ['-w', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'db', '-Atc', 'SELECT 7'], {
    env: { ...process.env, PGPASSWORD: password }, encoding: 'utf8',
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('integration: pg authentication (issue 9)', function () {
  this.timeout(120_000)
  let dir = ''
  let usersFile = ''
  before(async function () {
    dir = makeTempDir('pg-auth')
    usersFile = path.join(dir, 'users.txt')
    for (const user of USERS.filter((u) => !u.name.startsWith('ora_'))) setUser(usersFile, user)
    fs.appendFileSync(usersFile, await postgresVerifierLines())
  })
  after(() => removeDir(dir))

  it('refuses to start, with one line and a non-zero exit, on a non-loopback host with trust and on a bad users file', async function () {
    const plain = path.join(dir, 'plain.txt')
    fs.writeFileSync(plain, '# a plain password is not a verifier\n"carol" "secret"\n')
    const common = ['serve', '--data-dir', path.join(dir, 'refused'), '--pg-port', '0', '--ilp-port', '0', '--http-port', '0']
    const cases: Array<[ReadonlyArray<string>, string]> = [
      [['--host', '0.0.0.0', '--ilp-auth-file', plain, '--http-token', 't'],
        'refusing to listen on 0.0.0.0 (not a loopback address) without authentication: set --auth (not trust) with --users-file'],
      [['--host', '::', '--auth', 'trust'],
        'refusing to listen on :: (not a loopback address) without authentication: set --auth (not trust) with --users-file, --ilp-auth-file, --http-token'],
      [['--auth', 'scram-sha-256'], '--auth scram-sha-256 needs --users-file'],
      [['--auth', 'kerberos'], '--auth must be trust, password, md5 or scram-sha-256, got "kerberos"'],
      [['--auth', 'md5', '--users-file', plain],
        `${plain}:2: not a SCRAM-SHA-256 or md5 verifier (plain passwords are not accepted: use nodedb user set)`],
    ]
    for (const [args, line] of cases) {
      const result = await runNodedb([...common, ...args])
      assert.notEqual(result.code, 0, args.join(' '))
      assert.equal(result.output, `nodedb: ${line}\n`)
    }
  })

  const methods = ['password', 'md5', 'scram-sha-256'] as const
  for (const method of methods) {
    describe(`--auth ${method}`, function () {
      let server: ServerProcess | null = null
      const port = (): number => server?.pgPort ?? 0
      before(async function () {
        server = await startServerProcess({ dataDir: path.join(dir, `data-${method}`), args: ['--auth', method, '--users-file', usersFile] })
      })
      after(async function () {
        if (server !== null) assert.equal(await server.stop(), 0, server.output())
      })

      it('the right password lets node-postgres in (scram-sha-256 refuses md5 verifiers, as PostgreSQL does)', async function () {
        for (const user of USERS) {
          if (method === 'scram-sha-256' && user.verifier === 'md5') {
            assert.equal((await refusal(port(), user.name, user.password)).code, '28P01', user.name)
          } else {
            assert.equal(await connectAs(port(), user.name, user.password), user.name)
          }
        }
      })

      it('a Pool of 20 authenticates 20 connections at once', async function () {
        const pool = new pg.Pool({ host: '127.0.0.1', port: port(), user: 'alice', password: 'alice-pw', database: 'db', max: 20 })
        try {
          const clients = await Promise.all(Array.from({ length: 20 }, () => pool.connect()))
          const users = await Promise.all(clients.map(async (client) => (await client.query('SELECT current_user AS u')).rows[0].u))
          for (const client of clients) client.release()
          assert.deepEqual(users, Array(20).fill('alice'))
        } finally {
          await pool.end()
        }
      })

      it('a wrong password and an unknown user get the same FATAL 28P01', async function () {
        for (const [user, password] of [['alice', 'nope'], ['bob', 'bob-pw '], ['ora_scram', 'PG-SCRAM-PW'], ['ghost', 'alice-pw']]) {
          const error = await refusal(port(), user ?? '', password ?? '')
          assert.deepEqual(error, { code: '28P01', message: `password authentication failed for user "${user}"`, severity: 'FATAL' })
        }
      })

      it('psql with PGPASSWORD connects; with a wrong one it prints the error and exits 2', function () {
        for (const user of USERS.filter((u) => method !== 'scram-sha-256' || u.verifier === 'scram')) {
          const ok = psql(port(), user.name, user.password)
          assert.deepEqual([ok.status, ok.stdout], [0, '7\n'], `${user.name}: ${ok.stderr}`)
        }
        const bad = psql(port(), 'alice', 'wrong')
        assert.equal(bad.status, 2)
        assert.match(bad.stderr, /FATAL: {2}password authentication failed for user "alice"/)
      })
    })
  }

  describe('the SCRAM exchange on the wire', function () {
    let server: ServerProcess | null = null
    const port = (): number => server?.pgPort ?? 0
    before(async function () {
      server = await startServerProcess({ dataDir: path.join(dir, 'data-wire'), args: ['--auth', 'scram-sha-256', '--users-file', usersFile] })
    })
    after(async function () {
      if (server !== null) assert.equal(await server.stop(), 0, server.output())
    })

    /** StartupMessage, then a client-first-message; returns the server-first-message's attributes. */
    async function serverFirst(user: string): Promise<{ client: WireClient; salt: string; iterations: string; nonce: string }> {
      const client = await WireClient.connect(port())
      client.write(serialize.startup({ user, database: 'db' }))
      const [request] = await client.readUntil('authenticationSASL')
      assert.deepEqual(request?.['mechanisms'], ['SCRAM-SHA-256'])
      client.write(serialize.sendSASLInitialResponseMessage('SCRAM-SHA-256', 'n,,n=*,r=clientnonce123'))
      const continued = (await client.readUntil('authenticationSASLContinue')).at(-1)
      const fields = new Map(String(continued?.['data']).split(',').map((part) => [part[0], part.slice(2)] as const))
      assert.match(fields.get('r') ?? '', /^clientnonce123.{24}$/)
      return { client, salt: fields.get('s') ?? '', iterations: fields.get('i') ?? '', nonce: fields.get('r') ?? '' }
    }

    it('an unknown user gets SASL, a stable salt and 4096 iterations like a real one, and fails only after the proof', async function () {
      const real = await serverFirst('alice')
      real.client.end()
      const first = await serverFirst('ghost')
      const second = await serverFirst('ghost')
      assert.equal(first.salt, second.salt)
      assert.notEqual(first.salt, real.salt)
      assert.deepEqual([first.iterations, Buffer.from(first.salt, 'base64').length], ['4096', 16])
      first.client.end()
      second.client.write(serialize.sendSCRAMClientFinalMessage(`c=biws,r=${second.nonce}x,p=${Buffer.alloc(32).toString('base64')}`))
      const error = errorOf(await second.client.readUntilClosed())
      assert.deepEqual([error.code, error.severity], ['08P01', 'FATAL'], 'a nonce that does not match is a protocol violation')
      const third = await serverFirst('ghost')
      third.client.write(serialize.sendSCRAMClientFinalMessage(`c=biws,r=${third.nonce},p=${Buffer.alloc(32, 7).toString('base64')}`))
      const failed = errorOf(await third.client.readUntilClosed())
      assert.deepEqual([failed.code, failed.message], ['28P01', 'password authentication failed for user "ghost"'])
    })

    it('SCRAM-SHA-256-PLUS (never advertised) and channel-binding data are refused with FATAL 08P01', async function () {
      const attempts: Array<[string, string, string]> = [
        ['SCRAM-SHA-256-PLUS', 'p=tls-server-end-point,,n=,r=abc', '08P01'],
        ['SCRAM-SHA-256', 'p=tls-server-end-point,,n=,r=abc', '08P01'],
        ['SCRAM-SHA-256', 'n,a=alice,n=,r=abc', '0A000'],
      ]
      for (const [mechanism, message, code] of attempts) {
        const client = await WireClient.connect(port())
        client.write(serialize.startup({ user: 'alice', database: 'db' }))
        await client.readUntil('authenticationSASL')
        client.write(serialize.sendSASLInitialResponseMessage(mechanism, message))
        const error = errorOf(await client.readUntilClosed())
        assert.deepEqual([error.code, error.severity], [code, 'FATAL'], `${mechanism} ${message}`)
      }
    })

    it('more than PG_UNAUTHENTICATED_BYTES_MAX of input before authentication closes the socket', async function () {
      const client = await WireClient.connect(port())
      client.write(serialize.startup({ user: 'alice', database: 'db' }))
      await client.readUntil('authenticationSASL')
      const huge = Buffer.alloc(5 + PG_UNAUTHENTICATED_BYTES_MAX + 1, 0x61)
      huge[0] = 0x70
      huge.writeInt32BE(huge.length - 1, 1)
      client.write(huge)
      assert.deepEqual(names(await client.readUntilClosed()), '')
      assert.equal(await connectAs(port(), 'alice', 'alice-pw'), 'alice')
    })

    it('a query instead of the password response is FATAL 08P01', async function () {
      const client = await WireClient.connect(port())
      client.write(serialize.startup({ user: 'alice', database: 'db' }))
      await client.readUntil('authenticationSASL')
      client.write(serialize.query('SELECT 1'))
      const messages = await client.readUntilClosed()
      assert.equal(errorOf(messages).code, '08P01', names(messages))
    })

    it('a user added with `nodedb user set` while the server runs can connect at once; `user remove` shuts it out', async function () {
      const late = { name: 'late', password: 'late-pw', verifier: 'scram' } as const
      assert.equal((await refusal(port(), late.name, late.password)).code, '28P01')
      setUser(usersFile, late)
      assert.equal(await connectAs(port(), late.name, late.password), late.name)
      const removed = spawnSync(process.execPath, [MAIN_JS, 'user', 'remove', late.name, '--users-file', usersFile], { encoding: 'utf8' })
      assert.deepEqual([removed.status, removed.stdout], [0, `user "late" removed in ${usersFile}\n`], removed.stderr)
      assert.equal((await refusal(port(), late.name, late.password)).code, '28P01')
      assert.ok(fs.readFileSync(usersFile, 'utf8').includes('"alice" "SCRAM-SHA-256$4096:'), 'the other users stay')
    })

    it('an unknown user\'s salt survives edits of the users file and restarts, as a real user\'s does', async function () {
      const saltOf = async (user: string): Promise<string> => {
        const { client, salt } = await serverFirst(user)
        client.end()
        return salt
      }
      const before = [await saltOf('ghost'), await saltOf('alice')]
      setUser(usersFile, { name: 'another', password: 'another-pw', verifier: 'scram' })
      assert.deepEqual([await saltOf('ghost'), await saltOf('alice')], before)
      if (server !== null) assert.equal(await server.stop(), 0, server.output())
      server = await startServerProcess({ dataDir: path.join(dir, 'data-wire'), args: ['--auth', 'scram-sha-256', '--users-file', usersFile] })
      assert.deepEqual([await saltOf('ghost'), await saltOf('alice')], before)
    })
  })
})
