// test/helpers/gc-count-probe: preloaded into a server under test (NODEDB_NODE_FLAGS="--require <this file>") to count
// the event loop's mark-compacts: each one rewrites the count to NODEDB_GC_PROBE_FILE, which the test reads. Worker
// threads preload it too and count nothing: only the event loop's isolate is asked about.
import fs from 'node:fs'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { isMainThread } from 'node:worker_threads'

const file = process.env['NODEDB_GC_PROBE_FILE']
if (isMainThread && file !== undefined && file !== '') {
  let markCompacts = 0
  fs.writeFileSync(file, '0')
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail: unknown = Reflect.get(entry, 'detail')
      if (typeof detail === 'object' && detail !== null && 'kind' in detail && detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++
    }
    fs.writeFileSync(file, String(markCompacts))
  }).observe({ entryTypes: ['gc'] })
}
