// bench/scenarios/copy-ingest: COPY … FROM STDIN rows/s on nodedb and PostgreSQL (durable: fsync on both) on the same
// TSBS-like cpu rows in COPY's text format, `writers` concurrent COPYs of rows / writers rows each, sent in 64 KiB
// CopyData chunks through pg-copy-streams. Each COPY is acknowledged only once durable on both systems. Compare with
// sql-insert-ingest and the ilp-* scenarios of the same run for nodedb's other ingest paths.
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

export const copyIngest: Scenario = {
  name: 'copy-ingest', group: 'ingest', systems: ['nodedb', 'postgres'],
  async run({ system, options }: BenchContext) {
    const rows = [...cpuRows(options.rows, options.hosts)]
    const per = Math.ceil(rows.length / options.writers)
    const shares = Array.from({ length: options.writers }, (_, w) => copyTextChunks(rows.slice(w * per, (w + 1) * per)))
    const setup = await connectPg(system)
    await setup.query(CREATE_CPU_SQL.replace('CREATE TABLE cpu ', `CREATE TABLE ${TABLE} `))
    const clients = await Promise.all(shares.map(() => connectPg(system)))
    const started = performance.now()
    const counts = await Promise.all(shares.map((chunks, w) => copyIn(clients[w]!, `COPY ${TABLE} FROM STDIN`, chunks)))
    const seconds = (performance.now() - started) / 1000
    await Promise.all(clients.map((client) => client.end()))
    const visible = Number((await setup.query(`SELECT count(*) AS n FROM ${TABLE}`)).rows[0].n)
    await setup.end()
    const loaded = counts.reduce((sum, count) => sum + count, 0)
    const note = loaded === rows.length && visible === rows.length ? undefined : `loaded ${loaded}, visible ${visible} of ${rows.length}`
    return [{ scenario: this.name, system: system.name, value: rows.length / seconds, unit: 'rows/s', higherIsBetter: true, ...(note === undefined ? {} : { note }) }]
  },
}
