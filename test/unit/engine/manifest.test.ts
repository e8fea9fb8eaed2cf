// Goal: manifest.json v1 — the single list of segments and flushed LSNs — round-trips, keeps its pinned shape, and a
// damaged one is 'Corrupt' (never silently empty). Method: save/load through the Node file system in a temp dir.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { isEngineFailureError } from '../../../engine/api.js'
import { nodeFileSystem } from '../../../engine/io/file-system.js'
import { EMPTY_MANIFEST, loadManifest, saveManifest, segmentFileName, type ManifestData } from '../../../engine/timeseries/manifest.js'
import { asTableId } from '../../../src/common/ids.js'

describe('engine/timeseries/manifest', () => {
  let dir = ''
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-manifest-')) })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  const data: ManifestData = {
    nextSegmentId: 3,
    segments: [{ id: 2, file: segmentFileName(2), tableId: asTableId(1), vShard: 5, partitionStartUs: 0, rowCount: 10, minUs: 1, maxUs: 9, sizeBytes: 400 }],
    flushedLsns: [{ tableId: asTableId(1), vShard: 5, lsn: 42 }],
  }

  it('reads a missing manifest as empty and round-trips a saved one', async () => {
    assert.deepEqual(await loadManifest(nodeFileSystem, dir), EMPTY_MANIFEST)
    await saveManifest(nodeFileSystem, dir, data)
    assert.deepEqual(await loadManifest(nodeFileSystem, dir), data)
    assert.ok(!fs.existsSync(path.join(dir, 'manifest.json.tmp')), 'the temp file was renamed')
  })

  it('pins the v1 shape and the segment file names', async () => {
    await saveManifest(nodeFileSystem, dir, data)
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
    assert.deepEqual(json, {
      version: 1, nextSegmentId: 3,
      segments: [{ id: 2, file: '000000000002.seg', tableId: 1, vShard: 5, partitionStartUs: 0, rowCount: 10, minUs: 1, maxUs: 9, sizeBytes: 400 }],
      flushedLsns: [{ tableId: 1, vShard: 5, lsn: 42 }],
    })
  })

  it('pins truncatedLsns: written only when non-empty, round-tripped, checked', async () => {
    const truncated: ManifestData = { ...data, truncatedLsns: [{ tableId: asTableId(1), lsn: 77 }] }
    await saveManifest(nodeFileSystem, dir, truncated)
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
    assert.deepEqual(json, { version: 1, nextSegmentId: 3, segments: JSON.parse(JSON.stringify(data.segments)) as unknown,
      flushedLsns: [{ tableId: 1, vShard: 5, lsn: 42 }], truncatedLsns: [{ tableId: 1, lsn: 77 }] })
    assert.deepEqual(await loadManifest(nodeFileSystem, dir), truncated)
    await saveManifest(nodeFileSystem, dir, { ...data, truncatedLsns: [] })
    assert.ok(!('truncatedLsns' in (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as object)))
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"version":1,"nextSegmentId":1,"segments":[],"flushedLsns":[],"truncatedLsns":[{"lsn":3}]}')
    await assert.rejects(loadManifest(nodeFileSystem, dir), (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'Corrupt')
  })

  it('pins deletedLsns: written only when non-empty, round-tripped, checked', async () => {
    const deleted: ManifestData = { ...data, deletedLsns: [{ tableId: asTableId(1), lsn: 91 }] }
    await saveManifest(nodeFileSystem, dir, deleted)
    const json: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'))
    assert.deepEqual(json, { version: 1, nextSegmentId: 3, segments: JSON.parse(JSON.stringify(data.segments)) as unknown,
      flushedLsns: [{ tableId: 1, vShard: 5, lsn: 42 }], deletedLsns: [{ tableId: 1, lsn: 91 }] })
    assert.deepEqual(await loadManifest(nodeFileSystem, dir), deleted)
    await saveManifest(nodeFileSystem, dir, { ...data, deletedLsns: [] })
    assert.ok(!('deletedLsns' in (JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as object)))
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"version":1,"nextSegmentId":1,"segments":[],"flushedLsns":[],"deletedLsns":[{"tableId":0}]}')
    await assert.rejects(loadManifest(nodeFileSystem, dir), (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'Corrupt')
  })

  it('reports a damaged manifest as Corrupt', async () => {
    for (const text of ['{', '{"version":2,"nextSegmentId":1,"segments":[],"flushedLsns":[]}',
      '{"version":1,"nextSegmentId":1,"segments":[{"id":5}],"flushedLsns":[]}']) {
      fs.writeFileSync(path.join(dir, 'manifest.json'), text)
      await assert.rejects(loadManifest(nodeFileSystem, dir), (error: unknown) => isEngineFailureError(error) && error.failure.kind === 'Corrupt')
    }
  })
})
