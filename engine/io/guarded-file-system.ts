// engine/io/guarded-file-system: wraps the engine's FileSystem so every caller classifies failures alike (issue 12):
// no space (ENOSPC, EDQUOT) on open/write/rename/mkdir becomes EngineFailure 'DiskFull' (retryable: inputs are kept),
// EIO there becomes 'Io' (a coded error, 58030, not an internal one; the caller keeps its inputs as for no space);
// ANY failed fsync (file or directory) becomes 'Io' and marks the disk health failed, since after a failed fsync the
// page cache may have dropped the dirty pages and a retried fsync could report success for data that is gone.
import { EngineFailureError, isEngineFailureError } from '../api.js'
import type { DiskHealth } from './disk-health.js'
import { errnoCode, isNoSpaceError, type FileHandleLike, type FileSystem } from './file-system.js'

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Rethrows no space as 'DiskFull' and EIO as 'Io' (an EngineFailureError passes as it is); anything else unchanged. */
function rethrowNoSpace(what: string, file: string, error: unknown): never {
  if (isEngineFailureError(error)) throw error
  if (isNoSpaceError(error)) throw new EngineFailureError({ kind: 'DiskFull', detail: `${what} ${file}: ${messageOf(error)}` })
  if (errnoCode(error) === 'EIO') throw new EngineFailureError({ kind: 'Io', detail: `${what} ${file}: ${messageOf(error)}` })
  throw error
}

export function guardFileSystem(fs: FileSystem, health: DiskHealth): FileSystem {
  const fsyncFailed = (what: string, file: string, error: unknown): never => {
    const detail = `${what} of ${file} failed: ${messageOf(error)}`
    health.fatal(detail)
    throw new EngineFailureError({ kind: 'Io', detail })
  }
  const guardHandle = (file: string, handle: FileHandleLike): FileHandleLike => ({
    write: (bytes, position) => handle.write(bytes, position).catch((error: unknown) => rethrowNoSpace('write to', file, error)),
    read: (into, position) => handle.read(into, position),
    size: () => handle.size(),
    truncate: (lengthBytes) => handle.truncate(lengthBytes).catch((error: unknown) => rethrowNoSpace('truncate of', file, error)),
    datasync: () => handle.datasync().catch((error: unknown) => fsyncFailed('fdatasync', file, error)),
    close: () => handle.close(),
  })
  const guarded: FileSystem = {
    mkdirp: (dir) => fs.mkdirp(dir).catch((error: unknown) => rethrowNoSpace('mkdir', dir, error)),
    open: async (file, mode) => {
      try {
        return guardHandle(file, await fs.open(file, mode))
      } catch (error) {
        return rethrowNoSpace('open', file, error)
      }
    },
    readFile: (file) => fs.readFile(file),
    rename: (from, to) => fs.rename(from, to).catch((error: unknown) => rethrowNoSpace('rename to', to, error)),
    unlink: (file) => fs.unlink(file),
    readdir: (dir) => fs.readdir(dir),
    syncDir: (dir) => fs.syncDir(dir).catch((error: unknown) => fsyncFailed('fsync of directory', dir, error)),
  }
  const statfs = fs.statfs
  return statfs === undefined ? guarded : { ...guarded, statfs: (dir) => statfs.call(fs, dir) }
}
