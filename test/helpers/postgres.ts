// test/helpers/postgres: a throwaway real PostgreSQL (the oracle of test/differential) in a temp dir on a free
// port, started with the Debian server binaries (.ci/run installs them). As root it runs as the `postgres` user,
// since initdb refuses root.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface Postgres {
  readonly port: number
  stop(): void
}

function findBinDir(): string | null {
  const root = '/usr/lib/postgresql'
  if (!fs.existsSync(root)) return null
  const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))).sort()
  const newest = versions[versions.length - 1]
  return newest === undefined ? null : path.join(root, newest, 'bin')
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise((resolve) => server.close(resolve))
  return port
}

function runAs(asPostgres: boolean, command: string, args: string[]): void {
  const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(file, argv, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr}${result.stdout}`)
}

export interface PostgresOptions {
  /** Durable commits (fsync on, synchronous_commit on): for benchmarks against nodedb's fsync=always. */
  readonly durable?: boolean
}

/** Starts PostgreSQL; throws with the reason when the server binaries are missing (install `postgresql`). */
export async function startPostgres(options: PostgresOptions = {}): Promise<Postgres> {
  const bin = findBinDir()
  if (bin === null) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)')
  const asPostgres = process.getuid?.() === 0
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodedb-oracle-'))
  if (asPostgres) execFileSync('chown', ['postgres', dir])
  const dataDir = path.join(dir, 'data')
  runAs(asPostgres, path.join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale'])
  const port = await freePort()
  const fsync = options.durable === true ? 'on' : 'off'
  const settings = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=${fsync} -c timezone=UTC -c shared_buffers=512MB`
  runAs(asPostgres, path.join(bin, 'pg_ctl'), ['-D', dataDir, '-o', settings, '-l', path.join(dir, 'log'), '-w', 'start'])
  return {
    port,
    stop: () => {
      runAs(asPostgres, path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'])
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
