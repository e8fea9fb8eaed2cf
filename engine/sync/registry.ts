// engine/sync/registry: edges register in the hub's JetStream KV bucket ndb_edges (key = node id, value = the
// identity); the cloud lists it to start one applier per edge (issue 11). Both sides create the bucket if missing.
import type { NatsConnection } from '@nats-io/transport-node'
import { jetstream } from '@nats-io/jetstream'
import { Kvm } from '@nats-io/kv'
import { log } from '../../src/common/log.js'
import type { SyncIdentity } from './identity.js'
import { SYNC_EDGES_BUCKET } from './protocol.js'

/** The hub's JetStream domain (src/sync/nats-config.ts writes it into the hub's configuration). */
export const HUB_DOMAIN = 'hub'

async function edgesBucket(nc: NatsConnection) {
  return new Kvm(jetstream(nc, { domain: HUB_DOMAIN, timeout: 2000 })).create(SYNC_EDGES_BUCKET, { history: 1 })
}

/** Puts this edge into the registry; false (retried later by the caller) while the hub is unreachable. */
export async function registerEdge(nc: NatsConnection, identity: SyncIdentity): Promise<boolean> {
  try {
    const kv = await edgesBucket(nc)
    await kv.put(identity.nodeId, JSON.stringify(identity))
    log.info({ nodeId: identity.nodeId }, 'sync: edge registered with the hub')
    return true
  } catch (error) {
    log.debug({ err: error }, 'sync: edge registration not possible yet')
    return false
  }
}

/** Node ids of the registered edges. */
export async function registeredEdges(nc: NatsConnection): Promise<string[]> {
  const kv = await edgesBucket(nc)
  const keys: string[] = []
  for await (const key of await kv.keys()) keys.push(key)
  return keys.sort()
}
