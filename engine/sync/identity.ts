// engine/sync/identity: the node id and incarnation of a synced node (issue 11), created at first start and kept in
// the data dir (sync-identity.json, written temp + fsync + rename). A wiped data dir gets a new incarnation, so its
// LSNs (which start again at 1) never collide with the old ones: messages and marks are keyed (nodeId, incarnation).
import path from 'node:path'
import { EngineFailureError } from '../api.js'
import type { FileSystem } from '../io/file-system.js'

export interface SyncIdentity {
  readonly nodeId: string
  /** Milliseconds since the epoch when this data dir first ran with sync: a later wipe gets a larger number. */
  readonly incarnation: number
}

const IDENTITY_FILE = 'sync-identity.json'

function parseIdentity(bytes: Uint8Array, file: string): SyncIdentity {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'))
  } catch {
    value = undefined
  }
  if (typeof value === 'object' && value !== null && 'nodeId' in value && 'incarnation' in value &&
    typeof value.nodeId === 'string' && typeof value.incarnation === 'number' && Number.isSafeInteger(value.incarnation)) {
    return { nodeId: value.nodeId, incarnation: value.incarnation }
  }
  throw new EngineFailureError({ kind: 'Corrupt', detail: `${file} is not a sync identity` })
}

/**
 * The identity stored in `dataDir`, or a new one for `nodeId` (incarnation = now). A data dir that belongs to another
 * node id is refused ('Io'): renaming a node would silently restart its LSN chains under a new name.
 */
export async function loadSyncIdentity(fs: FileSystem, dataDir: string, nodeId: string, nowMs: number): Promise<SyncIdentity> {
  const file = path.join(dataDir, IDENTITY_FILE)
  const stored = await fs.readFile(file)
  if (stored !== undefined) {
    const identity = parseIdentity(stored, file)
    if (identity.nodeId !== nodeId) {
      throw new EngineFailureError({ kind: 'Io', detail: `data directory ${dataDir} belongs to node "${identity.nodeId}", not "${nodeId}"` })
    }
    return identity
  }
  const identity = { nodeId, incarnation: Math.floor(nowMs) }
  const temp = `${file}.tmp`
  const handle = await fs.open(temp, 'create-truncate')
  try {
    await handle.write(Buffer.from(JSON.stringify(identity)), 0)
    await handle.datasync()
  } finally {
    await handle.close()
  }
  await fs.rename(temp, file)
  await fs.syncDir(dataDir)
  return identity
}
