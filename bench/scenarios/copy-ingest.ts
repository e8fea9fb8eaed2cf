// bench/scenarios/copy-ingest: COPY … FROM STDIN rows/s on nodedb and PostgreSQL (durable: fsync on both) on the same
// TSBS-like cpu rows in COPY's text format, `writers` concurrent COPYs of rows / writers rows each, sent in 64 KiB
// CopyData chunks through pg-copy-streams. Each COPY is acknowledged only once durable on both systems. Compare with
// sql-insert-ingest and the ilp-* scenarios of the same run for nodedb's other ingest paths. Each system first loads a
// tenth of the rows the same way, untimed, into a table of its own (warmUp), as the ILP scenarios do: the first COPY
// of a nodedb server starts its COPY parse worker (a thread and its modules: ~0.1 CPU s) and warms its JIT, which on a
// 200 k-row run weighed ~1 CPU s per M rows of a cost that a server pays once.
import { clientCpu } from '../peers/process-stats.js'
import { connectPg } from '../peers/systems.js'
import { copyIn } from '../../test/helpers/copy-client.js'
import { CREATE_CPU_SQL, cpuRows, type CpuRow } from '../tsbs.js'
import type { BenchContext, Scenario } from './index.js'

const TABLE = 'cpu_copy'
const CHUNK_BYTES = 64 * 1024

/** COPY text of the rows, cut into CopyData-sized chunks at line ends. */
export function copyTextChunks(rows: Iterable<CpuRow>): Buffer[] {
  const chunks: Buffer[] = []
  let text = ''
  for (const row of rows) {
    text += `${new Date(row.timeMs).toISOString()}\t${row.tags.join('\t')}\t${row.fields.join('\t')}\n`
    if (text.length >= CHUNK_BYTES) {
      chunks.push(Buffer.from(text))
      text = ''
    }
  }
  if (text !== '') chunks.push(Buffer.from(text))
  return chunks
}

/** Loads `rowCount` rows into a new table `table` with `writers` concurrent COPYs; resolves with the seconds it took and the rows loaded and visible. */
async function copyLoad(system: BenchContext['system'], table: string, rowCount: number, options: BenchContext['options']) {
  const rows = [...cpuRows(rowCount, options.hosts)]
  const per = Math.ceil(rows.length / options.writers)
  const shares = Array.from({ length: options.writers }, (_, w) => copyTextChunks(rows.slice(w * per, (w + 1) * per)))
  const setup = await connectPg(system)
  await setup.query(CREATE_CPU_SQL.replace('CREATE TABLE cpu ', `CREATE TABLE ${table} `))
  const clients = await Promise.all(shares.map(() => connectPg(system)))
  const [client, started] = [process.cpuUsage(), performance.now()]
  const counts = await Promise.all(shares.map((chunks, w) => copyIn(clients[w]!, `COPY ${table} FROM STDIN`, chunks)))
  const seconds = (performance.now() - started) / 1000
  const clientCost = clientCpu(`${copyIngest.name}/client-cpu`, system.name, rowCount, client)
  await Promise.all(clients.map((client) => client.end()))
  const visible = Number((await setup.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
  await setup.end()
  return { seconds, clientCost, visible, loaded: counts.reduce((sum, count) => sum + count, 0) }
}

export const copyIngest: Scenario = {
  name: 'copy-ingest', group: 'ingest', systems: ['nodedb', 'postgres'],
  async warmUp({ system, options }: BenchContext) {
    await copyLoad(system, `${TABLE}_warmup`, Math.max(options.writers, Math.floor(options.rows / 10)), options)
  },
  async run({ system, options }: BenchContext) {
    const { seconds, clientCost, visible, loaded } = await copyLoad(system, TABLE, options.rows, options)
    const note = loaded === options.rows && visible === options.rows ? undefined : `loaded ${loaded}, visible ${visible} of ${options.rows}`
    return [{ scenario: this.name, system: system.name, value: options.rows / seconds, unit: 'rows/s', higherIsBetter: true, ...(note === undefined ? {} : { note }) }, clientCost]
  },
}
