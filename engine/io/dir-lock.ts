// engine/io/dir-lock: exclusive ownership of a data directory through a LOCK file holding the owner's pid.
// Knows nothing of what the directory holds.
import path from 'node:path'
import { EngineFailureError } from '../api.js'
import { errnoCode, type FileSystem } from './file-system.js'

export interface DirLock {
  readonly lockPath: string
  release(): Promise<void>
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM means the process exists but belongs to someone else: still alive.
    return errnoCode(error) !== 'ESRCH'
  }
}

function parsePid(bytes: Uint8Array | undefined): number | undefined {
  if (bytes === undefined) return undefined
  const pid = Number.parseInt(Buffer.from(bytes).toString('utf8').trim(), 10)
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined
}

async function tryCreate(fs: FileSystem, lockPath: string): Promise<boolean> {
  try {
    const handle = await fs.open(lockPath, 'create-exclusive')
    try {
      await handle.write(Buffer.from(`${process.pid}\n`, 'utf8'), 0)
      await handle.datasync()
    } finally {
      await handle.close()
    }
    return true
  } catch (error) {
    if (errnoCode(error) === 'EEXIST') return false
    throw error
  }
}

/**
 * Takes the lock on `dir`, or rejects with EngineFailureError 'Io' when a live process holds it. A LOCK left by a
 * dead process (kill -9) is taken over. Two attempts: one takeover race lost to another starter is reported as locked.
 */
export async function acquireDirLock(fs: FileSystem, dir: string): Promise<DirLock> {
  const lockPath = path.join(dir, 'LOCK')
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(fs, lockPath)) {
      return { lockPath, release: () => fs.unlink(lockPath) }
    }
    const pid = parsePid(await fs.readFile(lockPath))
    if (pid !== undefined && (pid === process.pid || isProcessAlive(pid))) {
      throw new EngineFailureError({ kind: 'Io', detail: `data directory ${dir} is locked by process ${pid}` })
    }
    // Stale (or unreadable) lock from a dead owner: remove it and try again.
    try {
      await fs.unlink(lockPath)
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error
    }
  }
  throw new EngineFailureError({ kind: 'Io', detail: `data directory ${dir} is locked by another process` })
}
