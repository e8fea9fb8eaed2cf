// engine/sync/sync-node: starts a node's side of edge-to-cloud sync (issue 11) on an open engine — the edge's shipper
// or the cloud's appliers (one per edge registered in ndb_edges) — and the hooks the engine consults: the WAL
// deletion floor and the ingest refusal. Without --sync-role none of this runs and the hooks are absent.
import path from 'node:path'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { log } from '../../src/common/log.js'
import type { Engine, EngineFailureError, SyncChainStatus, SyncStatus } from '../api.js'
import { nodeFileSystem } from '../io/file-system.js'
import type { TimeseriesOp } from '../ops.js'
import { EdgeApplier } from './cloud-applier.js'
import { CloudTables } from './cloud-tables.js'
import { edgeOpRefusal } from './edge-ddl.js'
import { EdgeShipper } from './edge-shipper.js'
import { loadSyncIdentity } from './identity.js'
import { registeredEdges } from './registry.js'

export interface SyncSettings {
  readonly role: 'edge' | 'cloud'
  readonly nodeId: string
  readonly natsUrl: string
  /** Edge: the outbox stream's max_bytes. */
  readonly outboxBytes: number
  /** Edge: ingest is refused past this much WAL the cloud has not acknowledged. */
  readonly walBudgetBytes: number
  /** Cloud: the tag naming the edge in every synced row. */
  readonly sourceTag: string
}

/** Created before the engine opens (its checkpoint and ingest consult them); the shipper fills them in later. */
export class SyncHooks {
  private shipper: EdgeShipper | undefined
  private cloudChains: () => SyncChainStatus[] = () => []
  constructor(private readonly role: SyncSettings['role']) {}

  attach(shipper: EdgeShipper): void { this.shipper = shipper }
  attachCloud(chains: () => SyncChainStatus[]): void { this.cloudChains = chains }

  /** Lowest LSN the WAL must keep: before the shipper knows the cloud's acknowledgement, everything (1). */
  walFloor = (): number => (this.role === 'edge' ? this.shipper?.walFloor() ?? 1 : Number.POSITIVE_INFINITY)

  /** 'DiskFull' (53100, HTTP 507) while the shipper's backlog is over budget: the WAL refuses appends. */
  walRefusal = (): EngineFailureError | undefined => this.shipper?.refusal()

  /** nodedb_sync's rows and the ingest refusal (SHOW nodedb_status). */
  status = (): SyncStatus => {
    if (this.role === 'cloud') return { role: 'cloud', chains: this.cloudChains(), refusal: null }
    const shipper = this.shipper
    return { role: 'edge', chains: shipper === undefined ? [] : [shipper.status()], refusal: shipper?.refusalDetail() ?? null }
  }

  /** An edge refuses the DDL and DELETE the cloud could not follow exactly (edge-ddl.ts). */
  opRefusal = (op: TimeseriesOp): EngineFailureError | undefined => (this.role === 'edge' ? edgeOpRefusal(op) : undefined)
}

export interface RunningSync {
  stop(): Promise<void>
}

const EDGE_LIST_INTERVAL_MS = 1000

/**
 * Starts the role's side (nothing without settings). Never waits for NATS: an unreachable server is retried in the
 * background. On failure the engine is closed, so the caller only reports.
 */
export async function startSync(engine: Engine, dataDir: string, settings: SyncSettings | null | undefined,
  hooks: SyncHooks | undefined): Promise<RunningSync | undefined> {
  if (settings === null || settings === undefined || hooks === undefined) return undefined
  try {
    return await startRole(engine, dataDir, settings, hooks)
  } catch (error) {
    await engine.close()
    throw error
  }
}

async function startRole(engine: Engine, dataDir: string, settings: SyncSettings, hooks: SyncHooks): Promise<RunningSync> {
  if (settings.role === 'edge') {
    const identity = await loadSyncIdentity(nodeFileSystem, dataDir, settings.nodeId, Date.now())
    const shipper = new EdgeShipper({
      fs: nodeFileSystem, walDir: path.join(dataDir, 'wal'), identity, natsUrl: settings.natsUrl,
      outboxBytes: settings.outboxBytes, walBudgetBytes: settings.walBudgetBytes,
      durableLsn: () => engine.stats().lsnDurable, tables: () => engine.tables(),
    })
    hooks.attach(shipper)
    await shipper.start()
    log.info({ nodeId: identity.nodeId, incarnation: identity.incarnation, nats: settings.natsUrl }, 'sync: edge shipper started')
    return { stop: () => shipper.stop() }
  }
  return startCloud(engine, settings, hooks)
}

function startCloud(engine: Engine, settings: SyncSettings, hooks: SyncHooks): RunningSync {
  const tables = new CloudTables(engine, settings.sourceTag)
  const appliers = new Map<string, EdgeApplier>()
  hooks.attachCloud(() => [...appliers.values()].flatMap((applier) => applier.status()))
  let stopped = false
  let nc: NatsConnection | undefined
  const watch = async (): Promise<void> => {
    while (!stopped) {
      try {
        nc ??= await connect({ servers: settings.natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 250 })
        for (const nodeId of await registeredEdges(nc)) {
          if (appliers.has(nodeId) || stopped) continue
          const applier = new EdgeApplier(nc, engine, tables, nodeId)
          appliers.set(nodeId, applier)
          applier.start()
          log.info({ nodeId }, 'sync: applier started for edge')
        }
      } catch (error) {
        log.debug({ err: error }, 'sync: edge registry not reachable yet')
      }
      await new Promise((resolve) => setTimeout(resolve, EDGE_LIST_INTERVAL_MS))
    }
  }
  const watching = watch()
  log.info({ nodeId: settings.nodeId, nats: settings.natsUrl }, 'sync: cloud started')
  return {
    stop: async () => {
      stopped = true
      await Promise.all([...appliers.values()].map((applier) => applier.stop()))
      await watching
      await nc?.close().catch(() => undefined)
    },
  }
}
