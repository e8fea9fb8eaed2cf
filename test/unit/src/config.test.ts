// Goal: the command line resolves flags over NODEDB_* variables over defaults, and rejects every malformed value
// with a ConfigError naming the flag. Method: parseCommandLine on literal argv/env pairs.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { ConfigError, isLoopbackHost, parseCommandLine } from '../../../src/config.js'
import { NODEDB_VERSION } from '../../../src/common/version.js'

describe('src/config', function () {
  it('uses the embedded defaults with no flags', function () {
    const command = parseCommandLine(['serve'], {})
    assert.equal(command.kind, 'serve')
    if (command.kind !== 'serve') return
    assert.equal(command.config.dataDir, path.resolve('./data'))
    assert.equal(command.config.host, '127.0.0.1')
    assert.equal(command.config.pgPort, 5432)
    assert.equal(command.config.ilpPort, 9009)
    assert.equal(command.config.httpPort, 8086)
    assert.equal(command.config.fsync, 'always')
    assert.ok(command.config.coreCount >= 1)
  })

  it('prefers a flag over its environment variable over the default', function () {
    const env = { NODEDB_PG_PORT: '6000', NODEDB_FSYNC: 'batch', NODEDB_CORES: '3' }
    const command = parseCommandLine(['serve', '--pg-port', '7000'], env)
    assert.ok(command.kind === 'serve')
    assert.equal(command.config.pgPort, 7000)
    assert.equal(command.config.fsync, 'batch')
    assert.equal(command.config.coreCount, 3)
  })

  it('issue 12: --disk-reserve-mb and NODEDB_DISK_RESERVE_MB set the write headroom; unset means the default', function () {
    const unset = parseCommandLine(['serve'], {})
    assert.ok(unset.kind === 'serve')
    assert.equal(unset.config.diskReserveMb, null)
    const fromEnv = parseCommandLine(['serve'], { NODEDB_DISK_RESERVE_MB: '512' })
    assert.ok(fromEnv.kind === 'serve')
    assert.equal(fromEnv.config.diskReserveMb, 512)
    const fromFlag = parseCommandLine(['serve', '--disk-reserve-mb', '0'], { NODEDB_DISK_RESERVE_MB: '512' })
    assert.ok(fromFlag.kind === 'serve')
    assert.equal(fromFlag.config.diskReserveMb, 0)
    assert.throws(() => parseCommandLine(['serve', '--disk-reserve-mb', 'lots'], {}), /--disk-reserve-mb must be a whole number/)
    assert.throws(() => parseCommandLine(['serve', '--disk-reserve-mb', '99999999'], {}), /--disk-reserve-mb must be between 0 and/)
  })

  it('issue 10: --ilp-parse-workers and NODEDB_ILP_PARSE_WORKERS size the ILP parse pool; unset leaves its default', function () {
    const sizeOf = (argv: string[], env: NodeJS.ProcessEnv): number | undefined => {
      const command = parseCommandLine(['serve', ...argv], env)
      assert.ok(command.kind === 'serve')
      return command.config.ilpParseWorkers
    }
    assert.equal(sizeOf([], {}), undefined)
    assert.equal(sizeOf([], { NODEDB_ILP_PARSE_WORKERS: '2' }), 2)
    assert.equal(sizeOf(['--ilp-parse-workers', '3'], { NODEDB_ILP_PARSE_WORKERS: '2' }), 3)
    assert.throws(() => sizeOf(['--ilp-parse-workers', '0'], {}), /--ilp-parse-workers must be between 1 and/)
    assert.throws(() => sizeOf(['--ilp-parse-workers', '99'], {}), /--ilp-parse-workers must be between 1 and/)
  })

  it('rejects malformed values with a message naming the flag', function () {
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--pg-port', 'abc'], /--pg-port must be a whole number/],
      [['serve', '--pg-port', '70000'], /--pg-port must be between 0 and 65535/],
      [['serve', '--cores', '0'], /--cores must be between 1/],
      [['serve', '--memtable-mb', '1.5'], /--memtable-mb must be a whole number/],
      [['serve', '--fsync', 'maybe'], /--fsync must be always, batch or off/],
      [['serve', '--bogus'], /bogus/],
      [['launch'], /unknown command "launch"/],
    ]
    for (const [argv, pattern] of cases) {
      assert.throws(() => parseCommandLine(argv, {}), (error: unknown) => error instanceof ConfigError && pattern.test(error.message), argv.join(' '))
    }
  })

  it('issue 9: trust only on loopback; a non-loopback host needs authentication on every port', function () {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) {
      assert.equal(isLoopbackHost(host), true, host)
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.example.com']) {
      assert.equal(isLoopbackHost(host), false, host)
    }
    const exposed = ['serve', '--host', '0.0.0.0', '--auth', 'scram-sha-256', '--users-file', 'u', '--ilp-auth-file', 'k', '--http-token', 't']
    const command = parseCommandLine(exposed, {})
    assert.ok(command.kind === 'serve')
    assert.deepEqual([command.config.auth, command.config.usersFile, command.config.ilpAuthFile], ['scram-sha-256', path.resolve('u'), path.resolve('k')])
    assert.throws(() => parseCommandLine(['serve', '--host', '0.0.0.0'], {}), ConfigError)
    assert.throws(() => parseCommandLine(['serve', '--host', '10.1.1.1'], { NODEDB_AUTH: 'md5', NODEDB_USERS_FILE: 'u', NODEDB_HTTP_TOKEN: 't' }),
      /set --ilp-auth-file$/)
  })

  it('issue 9: `nodedb user set|remove NAME` takes the users file from the flag or NODEDB_USERS_FILE', function () {
    assert.deepEqual(parseCommandLine(['user', 'set', 'alice', '--users-file', 'u.txt'], {}),
      { kind: 'user', action: 'set', name: 'alice', usersFile: path.resolve('u.txt'), verifier: 'scram' })
    assert.deepEqual(parseCommandLine(['user', 'remove', 'bob', '--verifier', 'md5'], { NODEDB_USERS_FILE: 'v.txt' }),
      { kind: 'user', action: 'remove', name: 'bob', usersFile: path.resolve('v.txt'), verifier: 'md5' })
    assert.throws(() => parseCommandLine(['user', 'set', 'alice'], {}), /needs --users-file/)
    assert.throws(() => parseCommandLine(['user', 'add', 'alice', '--users-file', 'u'], {}), /usage: nodedb user/)
    assert.throws(() => parseCommandLine(['user', 'set', 'a', '--users-file', 'u', '--verifier', 'sha1'], {}), /--verifier must be/)
  })

  it('keeps NODEDB_VERSION equal to package.json', function () {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string }
    assert.equal(NODEDB_VERSION, pkg.version)
  })
})
