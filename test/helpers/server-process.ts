// test/helpers/server-process: runs the real built server as a child process, exactly as a user would (through
// bin/nodedb, the launcher `npx nodedb` and `npm start` run, which execs node on dist/src/main.js), and waits for its `ready` log line to learn the ports it bound (tests pass --pg-port 0 --ilp-port 0
// --http-port 0, so parallel runs never collide on 5432/9009/8086).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const MAIN_JS = path.resolve(__dirname, '..', '..', 'src', 'main.js')
/** bin/nodedb: sets the allocator's environment, then execs node on MAIN_JS (same PID: kill -9 reaches the server). */
export const LAUNCHER = path.resolve(__dirname, '..', '..', '..', 'bin', 'nodedb')
const READY_TIMEOUT_MS = 30_000

export interface ServerProcess {
  readonly child: ChildProcess
  readonly pgPort: number
  /** ILP over TCP (--ilp-port). */
  readonly ilpPort: number
  /** HTTP: ILP writes, /ping, /health (--http-port). */
  readonly httpPort: number
  readonly dataDir: string
  /** Everything the process printed so far (stdout and stderr). */
  output(): string
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `nodedb-${prefix}-`))
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true })
}

export interface ExitResult { readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly output: string }

function waitExit(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode })
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
}

/** Runs `bin/nodedb ...args` to completion (for commands expected to exit by themselves). */
export async function runNodedb(args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}): Promise<ExitResult> {
  const child = spawn(LAUNCHER, args, { env: { ...process.env, NODEDB_LOG_LEVEL: 'info', ...env } })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const { code, signal } = await waitExit(child)
  return { code, signal, output }
}

export interface StartOptions {
  readonly dataDir: string
  readonly args?: ReadonlyArray<string>
  readonly env?: NodeJS.ProcessEnv
}

export function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const args = ['serve', '--data-dir', options.dataDir, '--pg-port', '0', '--ilp-port', '0', '--http-port', '0', '--cores', '2',
    ...(options.args ?? [])]
  const env = { ...process.env, NODEDB_LOG_LEVEL: 'info', ...(options.env ?? {}) }
  const child = spawn(LAUNCHER, args, { env })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${output}`))
    }, READY_TIMEOUT_MS)
    const onExit = (code: number | null): void => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before ready:\n${output}`))
    }
    child.once('exit', onExit)
    child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /"pgPort":(\d+),"ilpPort":(\d+),"httpPort":(\d+)[^\n]*"msg":"ready"/.exec(output)
      if (match === null) return
      clearTimeout(timer)
      child.off('exit', onExit)
      resolve({
        child,
        pgPort: Number(match[1]),
        ilpPort: Number(match[2]),
        httpPort: Number(match[3]),
        dataDir: options.dataDir,
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM')
          return (await waitExit(child)).code
        },
        kill: async () => {
          child.kill('SIGKILL')
          await waitExit(child)
        },
      })
    })
  })
}
