// wire/listen: binds a listener (pg, ILP TCP, HTTP) and reports the port it got — shared by every wire listener so
// startup errors (EADDRINUSE, EACCES) reject with Node's own error for src/server.ts to word as one line.
import type { Server } from 'node:net'
import { assert } from '../src/common/assert.js'
import { log } from '../src/common/log.js'

/** Listens on host:port (0 = any free port); resolves with the bound port. Later server errors are logged. */
export function listenOn(server: Server, host: string, port: number, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error)
    server.once('error', onError)
    server.listen(port, host, () => {
      server.off('error', onError)
      server.on('error', (error) => log.error({ err: error }, `${name} error`))
      const address = server.address()
      assert(address !== null && typeof address === 'object', `${name} has no TCP address`)
      log.info({ host, port: address.port }, `${name} started`)
      resolve(address.port)
    })
  })
}
