// A parse pool worker that dies on its first job, for test/unit/wire/ilp/parse-pool.test.ts.
import { parentPort } from 'node:worker_threads'

parentPort?.on('message', () => process.exit(3))
