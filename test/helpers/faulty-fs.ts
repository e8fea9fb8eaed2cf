// test/helpers/faulty-fs: a FileSystem over the Node one whose faults tests switch on and off (issue 12): a full
// disk (every write, create and rename fails ENOSPC/EDQUOT, writes leaving half their bytes behind as a real short
// write would), one-shot faults on the next matching operation, and a fake statfs. Counts fsyncs per file.
import path from 'node:path'
import { nodeFileSystem, type FileHandleLike, type FileSystem, type FileSystemSpace } from '../../engine/io/file-system.js'

export type FaultCode = 'ENOSPC' | 'EDQUOT' | 'EIO'
export type FaultOp = 'write' | 'datasync' | 'rename' | 'open' | 'syncDir'

export interface OneShotFault {
  readonly op: FaultOp
  readonly code: FaultCode
  /** Which file (its base name, e.g. /\.seg\.tmp$/); any file when absent. */
  readonly file?: RegExp
  /** Fires on every matching operation until removed from `faults` (a volume that stays full). */
  readonly sticky?: boolean
}

export function errnoError(code: FaultCode, what: string): Error {
  const text = code === 'ENOSPC' ? 'no space left on device' : code === 'EDQUOT' ? 'disk quota exceeded' : 'i/o error'
  return Object.assign(new Error(`${code}: ${text}, ${what}`), { code })
}

export class FaultyFileSystem {
  /** While set, every write, create (open for writing) and rename fails with this code. */
  full: 'ENOSPC' | 'EDQUOT' | null = null
  /** statfs answers this when set (else the real one). */
  space: FileSystemSpace | null = null
  readonly faults: OneShotFault[] = []
  /** Faults that fired, in order: "op code file". */
  readonly fired: string[] = []
  readonly datasyncs = new Map<string, number>()
  readonly fs: FileSystem

  constructor() {
    const base = nodeFileSystem
    this.fs = {
      ...base,
      mkdirp: (dir) => base.mkdirp(dir),
      open: async (file, mode) => {
        this.maybeFail('open', file, mode !== 'read')
        return this.wrap(file, await base.open(file, mode))
      },
      rename: async (from, to) => {
        this.maybeFail('rename', to, true)
        return base.rename(from, to)
      },
      syncDir: async (dir) => {
        this.maybeFail('syncDir', dir, false)
        return base.syncDir(dir)
      },
      statfs: async (dir) => this.space ?? (await base.statfs!(dir)),
    }
  }

  /** Arms a one-shot fault: the next matching operation fails. */
  failNext(fault: OneShotFault): void {
    this.faults.push(fault)
  }

  private maybeFail(op: FaultOp, file: string, isSpaceUse: boolean): void {
    const index = this.faults.findIndex((f) => f.op === op && (f.file === undefined || f.file.test(path.basename(file))))
    if (index >= 0) {
      const fault = this.take(index)
      this.fired.push(`${op} ${fault.code} ${path.basename(file)}`)
      throw errnoError(fault.code, `${op} '${file}'`)
    }
    if (this.full !== null && isSpaceUse) throw errnoError(this.full, `${op} '${file}'`)
  }

  private take(index: number): OneShotFault {
    const fault = this.faults[index]!
    if (fault.sticky !== true) this.faults.splice(index, 1)
    return fault
  }

  private wrap(file: string, handle: FileHandleLike): FileHandleLike {
    return {
      write: async (bytes, position) => {
        const index = this.faults.findIndex((f) => f.op === 'write' && (f.file === undefined || f.file.test(path.basename(file))))
        const code = index >= 0 ? this.take(index).code : this.full
        if (code !== null) {
          if (index >= 0) this.fired.push(`write ${code} ${path.basename(file)}`)
          // A short write, as a filesystem filling up mid-write leaves: half the bytes land, then the error.
          if (code !== 'EIO' && bytes.length > 1) await handle.write(bytes.subarray(0, bytes.length >> 1), position)
          throw errnoError(code, `write '${file}'`)
        }
        return handle.write(bytes, position)
      },
      read: (into, position) => handle.read(into, position),
      size: () => handle.size(),
      truncate: (length) => handle.truncate(length),
      datasync: async () => {
        this.datasyncs.set(path.basename(file), (this.datasyncs.get(path.basename(file)) ?? 0) + 1)
        this.maybeFail('datasync', file, false)
        return handle.datasync()
      },
      close: () => handle.close(),
    }
  }
}
