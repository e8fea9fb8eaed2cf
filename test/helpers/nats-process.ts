// test/helpers/nats-process: runs real nats-server 2.9 processes (Debian's, installed by scripts/ensure-test-oracles.sh)
// with the configuration `nodedb sync nats-config` prints, as an operator would, for the sync tests (issue 11).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { runNodedb } from './server-process.js'

export interface NatsProcess {
  readonly clientPort: number
  readonly url: string
  output(): string
  /** Starts the server again with the same configuration (after kill or stop). */
  start(): Promise<void>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
  /** SIGSTOP (true) or SIGCONT (false): the server stops answering without closing its connections. */
  pause(isPaused: boolean): void
}

/** A port no listener holds right now (nats-server needs a number in its configuration, not 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** Runs `nodedb sync nats-config …` and writes its output to `<dir>/<nodeId>.conf`. */
export async function writeNatsConfig(dir: string, args: ReadonlyArray<string>): Promise<string> {
  const result = await runNodedb(['sync', 'nats-config', ...args])
  if (result.code !== 0) throw new Error(`nodedb sync nats-config failed: ${result.output}`)
  const nodeId = args[args.indexOf('--node-id') + 1]!
  const file = path.join(dir, `${nodeId}.conf`)
  fs.writeFileSync(file, result.output)
  return file
}

function waitListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let attempts = 0
    const onExit = (code: number | null): void => reject(new Error(`nats-server exited with ${code}:\n${output()}`))
    child.once('exit', onExit)
    const attempt = (): void => {
      const socket = net.connect(port, '127.0.0.1')
      socket.once('connect', () => { socket.destroy(); child.off('exit', onExit); resolve() })
      socket.once('error', () => {
        attempts += 1
        if (attempts > 200) { child.off('exit', onExit); reject(new Error(`nats-server not listening:\n${output()}`)); return }
        setTimeout(attempt, 25)
      })
    }
    attempt()
  })
}

/** Starts `nats-server -c configFile`; resolves once its client port accepts connections. */
export async function startNats(configFile: string, clientPort: number): Promise<NatsProcess> {
  let child: ChildProcess | undefined
  let log = ''
  const handle: NatsProcess = {
    clientPort,
    url: `nats://127.0.0.1:${clientPort}`,
    output: () => log,
    start: async () => {
      const started = spawn('nats-server', ['-c', configFile])
      child = started
      started.stdout.on('data', (chunk: Buffer) => { log += chunk.toString() })
      started.stderr.on('data', (chunk: Buffer) => { log += chunk.toString() })
      await waitListening(clientPort, started, () => log)
    },
    pause: (isPaused) => { child?.kill(isPaused ? 'SIGSTOP' : 'SIGCONT') },
    kill: async () => {
      const running = child
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
      await new Promise<void>((resolve) => { running.once('exit', () => resolve()); running.kill('SIGKILL') })
    },
  }
  await handle.start()
  return handle
}
