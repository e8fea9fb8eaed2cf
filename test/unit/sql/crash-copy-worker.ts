// test/unit/sql/crash-copy-worker: a COPY parse worker that dies on its first CopyData (copy-parse-pool.test.ts).
import { parentPort } from 'node:worker_threads'

parentPort?.on('message', (request: { kind: string }) => {
  if (request.kind === 'data') process.exit(3)
})
