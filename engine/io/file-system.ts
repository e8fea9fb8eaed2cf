// engine/io/file-system: every file operation the engine performs, as an interface plus the Node implementation,
// so tests can substitute a faulty one (fail the Nth write/fsync/rename). Async only; knows nothing of formats.
import { promises as fsp, constants as fsc } from 'node:fs'

/** An open file. Offsets are byte positions; every write writes all its bytes or rejects. */
export interface FileHandleLike {
  write(bytes: Uint8Array, position: number): Promise<void>
  read(into: Uint8Array, position: number): Promise<number>
  size(): Promise<number>
  truncate(lengthBytes: number): Promise<void>
  datasync(): Promise<void>
  close(): Promise<void>
}

export type OpenMode = 'read' | 'append' | 'create-exclusive' | 'create-truncate' | 'read-write'

export interface FileSystem {
  mkdirp(dir: string): Promise<void>
  open(path: string, mode: OpenMode): Promise<FileHandleLike>
  /** Undefined when the file does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  readdir(dir: string): Promise<ReadonlyArray<string>>
  /** fsync of a directory, so that a create or rename inside it is durable. */
  syncDir(dir: string): Promise<void>
  /** Free (for unprivileged users) and total bytes of the filesystem holding `dir`; absent in simple test fakes. */
  statfs?(dir: string): Promise<FileSystemSpace>
}

export interface FileSystemSpace {
  readonly freeBytes: number
  readonly totalBytes: number
}

const OPEN_FLAGS: Readonly<Record<OpenMode, number>> = {
  'read': fsc.O_RDONLY,
  'append': fsc.O_WRONLY | fsc.O_CREAT,
  'create-exclusive': fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL,
  'create-truncate': fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC,
  'read-write': fsc.O_RDWR,
}

class NodeFileHandle implements FileHandleLike {
  constructor(private readonly handle: fsp.FileHandle) {}
  async write(bytes: Uint8Array, position: number): Promise<void> {
    let done = 0
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, position + done)
      done += bytesWritten
    }
  }
  async read(into: Uint8Array, position: number): Promise<number> {
    const { bytesRead } = await this.handle.read(into, 0, into.length, position)
    return bytesRead
  }
  async size(): Promise<number> { return (await this.handle.stat()).size }
  truncate(lengthBytes: number): Promise<void> { return this.handle.truncate(lengthBytes) }
  datasync(): Promise<void> { return this.handle.datasync() }
  close(): Promise<void> { return this.handle.close() }
}

function isNotFound(error: unknown): boolean {
  return errnoCode(error) === 'ENOENT'
}

export const nodeFileSystem: FileSystem = {
  async mkdirp(dir) { await fsp.mkdir(dir, { recursive: true }) },
  async open(path, mode) { return new NodeFileHandle(await fsp.open(path, OPEN_FLAGS[mode], 0o644)) },
  async readFile(path) {
    try {
      return await fsp.readFile(path)
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw error
    }
  },
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  readdir: (dir) => fsp.readdir(dir),
  async statfs(dir) {
    const stats = await fsp.statfs(dir)
    return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize }
  },
  async syncDir(dir) {
    const handle = await fsp.open(dir, fsc.O_RDONLY)
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  },
}

/** ENOSPC and EDQUOT: the filesystem (or the user's quota) has no room; retrying later may succeed. */
export function isNoSpaceError(error: unknown): boolean {
  const code = errnoCode(error)
  return code === 'ENOSPC' || code === 'EDQUOT'
}

/** The errno code of a failed fs call ('EACCES', 'ENOSPC', ...), or undefined for anything else. */
export function errnoCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}
