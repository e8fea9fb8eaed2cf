// Goal: the command line resolves flags over NODEDB_* variables over defaults, and rejects every malformed value
// with a ConfigError naming the flag. Method: parseCommandLine on literal argv/env pairs.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { ConfigError, parseCommandLine } from '../../../src/config.js'
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

  it('keeps NODEDB_VERSION equal to package.json', function () {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8')) as { version: string }
    assert.equal(NODEDB_VERSION, pkg.version)
  })
})
