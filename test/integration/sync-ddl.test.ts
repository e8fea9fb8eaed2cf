// Goal: issue 11's DDL on a sync edge — CREATE TABLE and ADD COLUMN reach the cloud before the rows that need them;
// DROP TABLE, TRUNCATE, ALTER TABLE RENAME (table or column), DROP COLUMN and DELETE, which the cloud could not follow
// exactly, are refused on the edge with 0A000 naming why, and change nothing on either side; the cloud itself runs
// them. Method: real nats-server 2.9 processes (hub + leaf) and real nodedb processes driven by pg; the oracle for the
// cloud's rows is the edge itself.
import assert from 'node:assert/strict'
import { query, SyncCluster, until, useSyncCluster } from '../helpers/sync-cluster.js'

const ROWS = 'SELECT host, v, extra FROM readings ORDER BY ts'

describe('issue 11: DDL on a sync edge (real nats-server, real nodedb)', function () {
  this.timeout(90_000)
  const clusterOf = useSyncCluster()
  let cluster: SyncCluster
  beforeEach(() => { cluster = clusterOf() })

  it('ships CREATE TABLE and ADD COLUMN ahead of their rows and refuses what the cloud cannot follow with 0A000', async () => {
    await cluster.startHub()
    await cluster.startCloud()
    const edge = await cluster.addEdge('edge-1')
    const [edgePg, cloudPg] = [edge.server!.pgPort, cluster.cloud!.pgPort]
    await query(edgePg, 'CREATE TABLE readings (ts timestamptz NOT NULL, host text, v bigint)')
    for (let i = 0; i < 5; i++) await query(edgePg, `INSERT INTO readings VALUES (to_timestamp(${1_700_000_000 + i}), 'r${i % 2}', ${i})`)
    await query(edgePg, 'ALTER TABLE readings ADD COLUMN extra bigint')
    await query(edgePg, `INSERT INTO readings (ts, host, v, extra) VALUES (to_timestamp(${1_700_000_100}), 'r9', 9, 99)`)
    const expected = JSON.stringify(await query(edgePg, ROWS))
    assert.match(expected, /"extra":"99"/)
    await until('the cloud to hold the edge\'s rows and the added column', async () => JSON.stringify(await query(cloudPg, ROWS)) === expected)
    const refused = [
      'DROP TABLE readings', 'TRUNCATE readings', 'ALTER TABLE readings RENAME TO readings2',
      'ALTER TABLE readings RENAME COLUMN v TO w', 'ALTER TABLE readings DROP COLUMN extra', 'DELETE FROM readings WHERE v = 1',
    ]
    for (const statement of refused) {
      await assert.rejects(query(edgePg, statement), (error: { code?: string; message?: string }) => {
        assert.equal(error.code, '0A000', statement)
        assert.match(error.message ?? '', /on a sync edge is not supported: /, statement)
        return true
      })
    }
    // Nothing changed on the edge, and a later row still reaches the cloud in order.
    assert.equal(JSON.stringify(await query(edgePg, ROWS)), expected)
    await query(edgePg, `INSERT INTO readings (ts, host, v, extra) VALUES (to_timestamp(${1_700_000_200}), 'r8', 8, 88)`)
    const after = JSON.stringify(await query(edgePg, ROWS))
    await until('the later row in the cloud', async () => JSON.stringify(await query(cloudPg, ROWS)) === after)
    // The cloud is not an edge: its own DDL runs.
    await query(cloudPg, 'CREATE TABLE cloud_only (ts timestamptz NOT NULL, v bigint)')
    await query(cloudPg, 'ALTER TABLE cloud_only RENAME COLUMN v TO w')
    await query(cloudPg, 'DROP TABLE cloud_only')
  })
})
