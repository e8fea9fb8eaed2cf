// bench/tsbs: TSBS-like "cpu" data (10 tags, 10 float fields, one row per host every 10 s), seeded, as SQL INSERT
// statements or InfluxDB line protocol. The same rows go to every system in a run.
import { seededRandom } from '../test/helpers/random.js'

export const TAG_NAMES = ['hostname', 'region', 'datacenter', 'rack', 'os', 'arch', 'team', 'service', 'service_version', 'service_environment'] as const
export const FIELD_NAMES = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq', 'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice'] as const
export const START_MS = Date.UTC(2024, 0, 1)
export const INTERVAL_MS = 10_000

const REGIONS = ['us-east-1', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'sa-east-1']

export interface CpuRow { readonly timeMs: number; readonly tags: ReadonlyArray<string>; readonly fields: ReadonlyArray<number> }

function hostTags(host: number): string[] {
  const region = REGIONS[host % REGIONS.length] ?? 'us-east-1'
  return [`host_${host}`, region, `${region}a`, String(host % 100), 'Ubuntu16.04LTS', host % 2 === 0 ? 'x64' : 'x86',
    ['SF', 'NYC', 'LON', 'CHI'][host % 4] ?? 'SF', String(host % 20), String(host % 2), host % 2 === 0 ? 'production' : 'staging']
}

/** `rowCount` rows over `hostCount` hosts, time-ordered, fields a bounded random walk with 2 decimals. */
export function* cpuRows(rowCount: number, hostCount: number, seed = 1, startMs = START_MS): Generator<CpuRow> {
  const random = seededRandom(seed)
  const tags = Array.from({ length: hostCount }, (_, h) => hostTags(h))
  const state = Array.from({ length: hostCount }, () => FIELD_NAMES.map(() => Math.round(random() * 10000) / 100))
  for (let i = 0; i < rowCount; i++) {
    const host = i % hostCount
    const fields = state[host] ?? []
    for (let f = 0; f < fields.length; f++) {
      const next = (fields[f] ?? 0) + (random() - 0.5) * 2
      fields[f] = Math.round(Math.min(100, Math.max(0, next)) * 100) / 100
    }
    yield { timeMs: startMs + Math.floor(i / hostCount) * INTERVAL_MS, tags: tags[host] ?? [], fields: [...fields] }
  }
}

export const CREATE_CPU_SQL = `CREATE TABLE cpu (time TIMESTAMPTZ NOT NULL, ${TAG_NAMES.map((t) => `${t} TEXT`).join(', ')}, ` +
  `${FIELD_NAMES.map((f) => `${f} DOUBLE PRECISION`).join(', ')})`

/** Multi-row INSERT statements of `batchRows` rows each. */
export function insertStatements(rows: Iterable<CpuRow>, batchRows: number): string[] {
  const statements: string[] = []
  let values: string[] = []
  for (const row of rows) {
    values.push(`('${new Date(row.timeMs).toISOString()}',${row.tags.map((t) => `'${t}'`).join(',')},${row.fields.join(',')})`)
    if (values.length === batchRows) {
      statements.push(`INSERT INTO cpu VALUES ${values.join(',')}`)
      values = []
    }
  }
  if (values.length > 0) statements.push(`INSERT INTO cpu VALUES ${values.join(',')}`)
  return statements
}

/** One row as an InfluxDB line-protocol line (no newline), timestamp in ns. */
export function lineOf(row: CpuRow, measurement = 'cpu'): string {
  const tags = row.tags.map((value, i) => `${TAG_NAMES[i]}=${value}`).join(',')
  const fields = row.fields.map((value, i) => `${FIELD_NAMES[i]}=${value}`).join(',')
  return `${measurement},${tags} ${fields} ${row.timeMs}000000`
}

/** InfluxDB line protocol for measurement `measurement`, `batchRows` lines per chunk, timestamps in ns. */
export function lineChunks(rows: Iterable<CpuRow>, batchRows: number, measurement = 'cpu'): string[] {
  const chunks: string[] = []
  let lines: string[] = []
  for (const row of rows) {
    lines.push(lineOf(row, measurement))
    if (lines.length === batchRows) {
      chunks.push(`${lines.join('\n')}\n`)
      lines = []
    }
  }
  if (lines.length > 0) chunks.push(`${lines.join('\n')}\n`)
  return chunks
}
