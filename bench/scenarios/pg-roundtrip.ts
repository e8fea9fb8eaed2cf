// bench/scenarios/pg-roundtrip: the pg wire's fixed cost — `SELECT 1` back to back over the simple query protocol
// (Query) and the extended one (Parse/Bind/Describe/Execute/Sync of an unnamed statement, as a driver without a
// statement cache sends it), on 1 and on 16 connections, in round trips per second. nodedb and PostgreSQL run in the
// same bench run, so the table's ratio compares them on the same load.
import pg from 'pg'
import { connectPg } from '../peers/systems.js'
import type { BenchContext, Measurement, Scenario } from './index.js'

const ROUND_TRIPS = 20_000
const SMOKE_ROUND_TRIPS = 200
const WARM_UP_PER_CONNECTION = 50
const CONNECTION_COUNTS = [1, 16] as const
export const PROTOCOLS = ['simple', 'extended'] as const

export type Protocol = (typeof PROTOCOLS)[number]

export function selectOne(client: pg.Client, protocol: Protocol): Promise<unknown> {
  // pg sends the extended protocol for `queryMode: 'extended'` (not in its type declarations).
  return protocol === 'simple' ? client.query('SELECT 1') : client.query({ text: 'SELECT 1', queryMode: 'extended' } as pg.QueryConfig)
}

/** `total` round trips shared by `clients`, each sending its next one when the previous answer is in. */
export async function roundTrips(clients: ReadonlyArray<pg.Client>, protocol: Protocol, total: number): Promise<number> {
  let next = 0
  const started = performance.now()
  await Promise.all(clients.map(async (client) => {
    while (next++ < total) await selectOne(client, protocol)
  }))
  return total / ((performance.now() - started) / 1000)
}

export const pgRoundTrip: Scenario = {
  name: 'pg-roundtrip', group: 'query', systems: ['nodedb', 'postgres'],
  async run({ system, options }: BenchContext) {
    const total = options.smoke ? SMOKE_ROUND_TRIPS : ROUND_TRIPS
    const clients = await Promise.all(Array.from({ length: Math.max(...CONNECTION_COUNTS) }, () => connectPg(system)))
    const results: Measurement[] = []
    try {
      for (const protocol of PROTOCOLS) {
        await Promise.all(clients.map(async (client) => {
          for (let i = 0; i < WARM_UP_PER_CONNECTION; i++) await selectOne(client, protocol)
        }))
        for (const connections of CONNECTION_COUNTS) {
          const rate = await roundTrips(clients.slice(0, connections), protocol, total)
          results.push({ scenario: `select1-${protocol}-${connections}conn`, system: system.name, value: rate, unit: 'queries/s', higherIsBetter: true, runs: total })
        }
      }
    } finally {
      await Promise.all(clients.map((client) => client.end()))
    }
    return results
  },
}
