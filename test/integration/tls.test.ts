// Goal: with --tls-cert/--tls-key an SSLRequest is answered 'S' and the session continues over TLS on the same
// connection (node-postgres with and without verification against the CA, psql sslmode=require and verify-full,
// SCRAM over TLS), plaintext clients still work, GSSENCRequest is still 'N', bytes sent in clear after SSLRequest
// end the connection, and without certificates psql's sslmode=require is refused as PostgreSQL refuses it.
// Method: a CA and a server certificate made with openssl in the test, the real server process, pg, psql, raw sockets.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import { TLSSocket } from 'node:tls'
import path from 'node:path'
import pg from 'pg'
import { serialize } from 'pg-protocol'
import { MAIN_JS, makeTempDir, removeDir, runNodedb, startServerProcess, type ServerProcess } from '../helpers/server-process.js'
import { WireClient } from '../unit/wire/wire-client.js'

function openssl(cwd: string, args: ReadonlyArray<string>): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' })
}

/** A CA, and a server certificate it signed for localhost and 127.0.0.1 (EC P-256 keys: quick to make). */
function makeCertificates(dir: string, caName: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes']
  openssl(dir, ['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', `/CN=${caName}`])
  openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'])
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt',
    '-days', '2', '-extfile', 'san.ext'])
}

async function queryOver(port: number, ssl: pg.ClientConfig['ssl'], extra: pg.ClientConfig = {}): Promise<{ value: number; isTls: boolean }> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'tls', database: 'db', ssl, ...extra })
  try {
    await client.connect()
    const value = Number((await client.query('SELECT 1 + 1 AS v')).rows[0].v)
    const stream = (client as unknown as { connection: { stream: unknown } }).connection.stream
    return { value, isTls: stream instanceof TLSSocket && stream.encrypted }
  } finally {
    await client.end().catch(() => undefined)
  }
}

function psqlConninfo(conninfo: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('psql', ['-w', conninfo, '-c', '\\conninfo'], { encoding: 'utf8', env: { ...process.env, PGPASSWORD: 'tls-pw' } })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('integration: pg TLS (issue 9)', function () {
  this.timeout(60_000)
  let dir = ''
  let server: ServerProcess | null = null
  const port = (): number => server?.pgPort ?? 0
  before(async function () {
    dir = makeTempDir('tls')
    makeCertificates(dir, 'nodedb test CA')
    fs.mkdirSync(path.join(dir, 'other'))
    makeCertificates(path.join(dir, 'other'), 'another CA')
    server = await startServerProcess({
      dataDir: path.join(dir, 'data'), args: ['--tls-cert', path.join(dir, 'server.crt'), '--tls-key', path.join(dir, 'server.key')],
    })
  })
  after(async function () {
    if (server !== null) assert.equal(await server.stop(), 0, server.output())
    removeDir(dir)
  })

  it('node-postgres over TLS: unverified, verified against the CA, and refused against another CA', async function () {
    assert.deepEqual(await queryOver(port(), { rejectUnauthorized: false }), { value: 2, isTls: true })
    const ca = fs.readFileSync(path.join(dir, 'ca.crt'), 'utf8')
    assert.deepEqual(await queryOver(port(), { ca }), { value: 2, isTls: true })
    const otherCa = fs.readFileSync(path.join(dir, 'other', 'ca.crt'), 'utf8')
    await assert.rejects(queryOver(port(), { ca: otherCa }), /certificate/)
  })

  it('a 20 MB answer crosses TLS whole (the send-buffer bound and backpressure apply to the TLS socket)', async function () {
    const client = new pg.Client({ host: '127.0.0.1', port: port(), user: 'tls', database: 'db', ssl: { rejectUnauthorized: false } })
    await client.connect()
    try {
      const value = String((await client.query("SELECT repeat('x', 20000000) AS v")).rows[0].v)
      assert.equal(value.length, 20_000_000)
      assert.ok(/^x+$/.test(value))
    } finally {
      await client.end()
    }
  })

  it('a plaintext client still works next to TLS ones', async function () {
    assert.deepEqual(await queryOver(port(), false), { value: 2, isTls: false })
  })

  it('psql: sslmode=require and verify-full use TLS; sslmode=disable does not', function () {
    const require = psqlConninfo(`host=127.0.0.1 port=${port()} user=tls dbname=db sslmode=require`)
    assert.equal(require.status, 0, require.stderr)
    assert.match(require.stdout, /^SSL connection \(protocol: TLSv1\.[23],/m)
    const full = psqlConninfo(`host=localhost port=${port()} user=tls dbname=db sslmode=verify-full sslrootcert=${path.join(dir, 'ca.crt')}`)
    assert.equal(full.status, 0, full.stderr)
    assert.match(full.stdout, /^SSL connection/m)
    const plain = psqlConninfo(`host=127.0.0.1 port=${port()} user=tls dbname=db sslmode=disable`)
    assert.equal(plain.status, 0, plain.stderr)
    assert.doesNotMatch(plain.stdout, /SSL connection/)
  })

  it("pg_stat_ssl shows the session's TLS as libpq sees it (psql's \\conninfo: protocol, cipher), and ssl false in the clear", function () {
    const query = 'SELECT ssl, version, cipher, bits, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()'
    const run = (sslmode: string): string => {
      const result = spawnSync('psql', ['-w', `host=127.0.0.1 port=${port()} user=tls dbname=db sslmode=${sslmode}`, '-X', '-A', '-t',
        '-c', '\\conninfo', '-c', query], { encoding: 'utf8' })
      assert.equal(result.status, 0, result.stderr)
      return result.stdout
    }
    const secure = run('require')
    const seen = /protocol: (\S+), cipher: (\S+)[,)]/.exec(secure)
    assert.ok(seen !== null, secure)
    // psql 15 prints no bits: OpenSSL's are the cipher's key size (TLS_AES_256_GCM_SHA384: 256).
    const bits = /AES_256|CHACHA20/.test(seen[2]!) ? 256 : 128
    assert.match(secure, new RegExp(`^t\\|${seen[1]}\\|${seen[2]}\\|${bits}\\|$`, 'm'))
    assert.match(run('disable'), /^f\|\|\|\|$/m)
  })

  it('GSSENCRequest is still answered N, and an SSLRequest after it S', async function () {
    const socket = net.connect(port(), '127.0.0.1')
    const answers: string[] = []
    const gssRequest = Buffer.alloc(8)
    gssRequest.writeInt32BE(8, 0)
    gssRequest.writeInt32BE(80877104, 4)
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject)
      socket.on('connect', () => socket.write(gssRequest))
      socket.on('data', (chunk: Buffer) => {
        answers.push(chunk.toString('latin1'))
        if (answers.length === 1) socket.write(serialize.requestSsl())
        else resolve()
      })
    })
    socket.destroy()
    assert.deepEqual(answers, ['N', 'S'])
  })

  it('bytes sent in clear right after SSLRequest end the connection (CVE-2021-23214), and the server goes on', async function () {
    const client = await WireClient.connect(port())
    client.write(Buffer.concat([serialize.requestSsl(), serialize.startup({ user: 'mallory', database: 'db' })]))
    assert.deepEqual(await client.readUntilClosed(), [])
    assert.deepEqual(await queryOver(port(), { rejectUnauthorized: false }), { value: 2, isTls: true })
  })
})

describe('integration: pg TLS with SCRAM, and without certificates (issue 9)', function () {
  this.timeout(60_000)
  let dir = ''
  before(function () {
    dir = makeTempDir('tls-scram')
    makeCertificates(dir, 'nodedb test CA')
    const result = spawnSync(process.execPath, [MAIN_JS, 'user', 'set', 'tls', '--users-file', path.join(dir, 'users.txt')], { input: 'tls-pw\n' })
    assert.equal(result.status, 0, String(result.stderr))
  })
  after(() => removeDir(dir))

  it('SCRAM-SHA-256 over TLS with node-postgres and psql', async function () {
    const server = await startServerProcess({
      dataDir: path.join(dir, 'data'),
      args: ['--tls-cert', path.join(dir, 'server.crt'), '--tls-key', path.join(dir, 'server.key'), '--auth', 'scram-sha-256',
        '--users-file', path.join(dir, 'users.txt')],
    })
    try {
      assert.deepEqual(await queryOver(server.pgPort, { rejectUnauthorized: false }, { password: 'tls-pw' }), { value: 2, isTls: true })
      await assert.rejects(queryOver(server.pgPort, { rejectUnauthorized: false }, { password: 'nope' }), { code: '28P01' })
      const psql = psqlConninfo(`host=127.0.0.1 port=${server.pgPort} user=tls dbname=db sslmode=require`)
      assert.equal(psql.status, 0, psql.stderr)
      assert.match(psql.stdout, /^SSL connection/m)
    } finally {
      assert.equal(await server.stop(), 0, server.output())
    }
  })

  it('without certificates: SSLRequest is answered N, sslmode=require is refused, sslmode=prefer connects in clear', async function () {
    const server = await startServerProcess({ dataDir: path.join(dir, 'data-plain') })
    try {
      const client = await WireClient.connect(server.pgPort)
      assert.equal(await client.requestSsl(), 'N')
      client.end()
      const require = psqlConninfo(`host=127.0.0.1 port=${server.pgPort} user=tls dbname=db sslmode=require`)
      assert.equal(require.status, 2)
      assert.match(require.stderr, /server does not support SSL, but SSL was required/)
      const prefer = psqlConninfo(`host=127.0.0.1 port=${server.pgPort} user=tls dbname=db sslmode=prefer`)
      assert.equal(prefer.status, 0, prefer.stderr)
      assert.doesNotMatch(prefer.stdout, /SSL connection/)
    } finally {
      assert.equal(await server.stop(), 0, server.output())
    }
  })

  it('a missing certificate, or --tls-cert without --tls-key, refuses to start with one line', async function () {
    const common = ['serve', '--data-dir', path.join(dir, 'data-bad'), '--pg-port', '0', '--ilp-port', '0', '--http-port', '0']
    const missing = await runNodedb([...common, '--tls-cert', path.join(dir, 'nope.crt'), '--tls-key', path.join(dir, 'server.key')])
    assert.notEqual(missing.code, 0)
    assert.match(missing.output, /^nodedb: cannot read TLS certificate \S+nope\.crt: ENOENT[^\n]*\n$/)
    const alone = await runNodedb([...common, '--tls-cert', path.join(dir, 'server.crt')])
    assert.notEqual(alone.code, 0)
    assert.equal(alone.output, 'nodedb: --tls-cert and --tls-key go together\n')
  })
})
