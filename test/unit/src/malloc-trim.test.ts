// Goal: the optional malloc-trim addon (native/malloc-trim.c) is built wherever a C compiler exists, loads, and gives
// freed arena memory back to the OS; the trimmer trims only when its policy says so. Method: the real build script,
// the real addon in this process and in a child node that frees ~100 MiB of malloc'd buffers, RSS from the addon.
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { loadMallocTrimAddon, MALLOC_TRIM_ADDON_PATH, MallocTrimmer, type MallocTrimAddon } from '../../../src/common/malloc-trim.js'
import { makeTempDir, removeDir } from '../../helpers/server-process.js'

const ROOT = path.resolve(__dirname, '..', '..', '..', '..')
const BUILD_SCRIPT = path.join(ROOT, 'scripts', 'build-native.sh')
const MIB = 1024 * 1024

function hasCompiler(): boolean {
  return ['cc', 'gcc', 'clang'].some((cc) => spawnSync('sh', ['-c', `command -v ${cc}`]).status === 0)
}

/** Runs the build script as `npm run build` does, strict: a compiler that fails is a failure, not a skip. */
function buildInto(dir?: string): void {
  execFileSync('sh', [BUILD_SCRIPT, ...(dir === undefined ? [] : [dir])], {
    env: { ...process.env, NODEDB_NATIVE_STRICT: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
}

describe('unit: malloc-trim addon (issue 10)', function () {
  let addon: MallocTrimAddon | null = null

  before(function () {
    // Optional by design (the server runs without it), but CI and every developer machine have a compiler, and
    // there it must be built: without one this suite has nothing to test.
    if (process.platform !== 'linux' || !hasCompiler()) this.skip()
    buildInto()
    addon = loadMallocTrimAddon()
  })

  it('npm run build, prepare, test and bench all build it', function () {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>
    for (const name of ['build', 'prepare', 'pretest', 'bench']) {
      assert.match(scripts[name]!, /scripts\/build-native\.sh/, `package.json's ${name} script no longer builds the addon`)
    }
  })

  it('the build script writes the addon where the server loads it from, and it loads', function () {
    assert.ok(fs.existsSync(MALLOC_TRIM_ADDON_PATH))
    assert.notEqual(addon, null)
    const dir = makeTempDir('native')
    try {
      buildInto(dir)
      assert.notEqual(loadMallocTrimAddon(path.join(dir, 'malloc-trim.node')), null)
    } finally {
      removeDir(dir)
    }
  })

  it('a missing addon is null, not a throw', function () {
    assert.equal(loadMallocTrimAddon(path.join(ROOT, 'no-such-dir', 'malloc-trim.node')), null)
  })

  it('trim() and freeBytes() resolve off the event loop with what glibc reports', async function () {
    const stats = await addon!.freeBytes()
    assert.ok(stats.rss > 10 * MIB, `rss ${stats.rss}`)
    assert.ok(stats.inUse > 0 && stats.free >= 0 && stats.mainArena > 0)
    const result = await addon!.trim()
    assert.equal(typeof result.released, 'boolean')
    assert.ok(result.rss > 0 && result.rssBefore > 0 && result.cpuMicros >= 0)
  })

  it('gives freed arena memory back: RSS of a child that freed ~100 MiB of buffers falls by most of it', function () {
    // 64 KiB stores come from malloc's arenas (below its mmap threshold); freed, glibc keeps their pages.
    const script = `
      const addon = require(${JSON.stringify(MALLOC_TRIM_ADDON_PATH)})
      let held = []
      for (let i = 0; i < 1600; i++) held.push(Buffer.allocUnsafeSlow(64 * 1024).fill(1))
      const keep = Buffer.allocUnsafeSlow(64 * 1024) // above them, so the arena's top cannot shrink by itself
      held = null
      globalThis.gc(); globalThis.gc()
      addon.freeBytes().then((stats) => addon.trim().then((result) => {
        process.stdout.write(JSON.stringify({ free: stats.free, before: result.rssBefore, after: result.rss, keep: keep.length }))
      }))`
    const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' })) as
      { free: number; before: number; after: number }
    assert.ok(out.free >= 90 * MIB, `free in the arenas ${out.free / MIB} MiB`)
    assert.ok(out.before - out.after >= 64 * MIB, `RSS ${out.before / MIB} → ${out.after / MIB} MiB`)
  })

  it('the trimmer trims past its busy threshold, or once quiet past its quiet one, and not otherwise', async function () {
    // ±Infinity: RSS and free bytes may move either way a little between two checks; these cases must not depend on it.
    const policy = { checkMs: 1000, busyBytes: Infinity, quietBytes: Infinity, quietSlackBytes: Infinity }
    const busy = new MallocTrimmer(addon!, { ...policy, busyBytes: -Infinity })
    await busy.check()
    await busy.check()
    assert.equal(busy.trims, 2)
    const quiet = new MallocTrimmer(addon!, { ...policy, quietBytes: -Infinity })
    await quiet.check()
    assert.equal(quiet.trims, 0, 'the first check has nothing to compare with: not quiet yet')
    await quiet.check()
    assert.equal(quiet.trims, 1)
    const neverQuiet = new MallocTrimmer(addon!, { ...policy, quietBytes: -Infinity, quietSlackBytes: 0 })
    await neverQuiet.check()
    await neverQuiet.check()
    assert.equal(neverQuiet.trims, 0, 'no slack: never quiet, and below the busy threshold')
    const nothingToGive = new MallocTrimmer(addon!, policy)
    await nothingToGive.check()
    await nothingToGive.check()
    assert.equal(nothingToGive.trims, 0)
  })
})
