// bench/tsbs-files: the TSBS rows written to files before any timed load, as TSBS's tsbs_generate_data does, so a
// load measures the server and not the bench making its input on the same cores: a CSV (for COPY and ClickHouse's
// CSV insert) and line protocol in request bodies of a fixed number of lines, with each body's byte offset (for
// nodedb, InfluxDB and VictoriaMetrics). Generating the line protocol costs the bench ~4.8 CPU s per million rows.
import fs from 'node:fs'
import { lineOf, type CpuRow } from './tsbs.js'

/** Line-protocol bodies in one file: body i is the bytes [offsets[i], offsets[i + 1]). */
export interface LineFile { readonly path: string; readonly offsets: ReadonlyArray<number> }

/** The next request body, or undefined when all have been handed out; safe to call from several senders at once. */
export type NextBody = () => Promise<Buffer | string | undefined>

const plainTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ')

/** A file written in buffered pieces, counting its bytes. */
class Appender {
  bytes = 0
  private constructor(private readonly handle: fs.promises.FileHandle) {}
  static async open(file: string): Promise<Appender> {
    return new Appender(await fs.promises.open(file, 'w', 0o644))
  }
  async append(text: string): Promise<void> {
    const buffer = Buffer.from(text)
    await this.handle.write(buffer)
    this.bytes += buffer.length
  }
  close(): Promise<void> {
    return this.handle.close()
  }
}

/**
 * Writes `rows` as CSV (time, tags, fields: CREATE_CPU_SQL's column order) to `csvPath` and as line protocol of
 * `batchRows` lines per body (of measurement `measurement`) to `linePath`, in one pass; memory holds one batch,
 * whatever the row count.
 */
export async function writeLoadFiles(rows: Iterable<CpuRow>, csvPath: string, linePath: string, batchRows: number,
  measurement = 'cpu'): Promise<LineFile> {
  const [csv, lines] = [await Appender.open(csvPath), await Appender.open(linePath)]
  const offsets = [0]
  try {
    let [csvBatch, lineBatch]: [string[], string[]] = [[], []]
    const flush = async (): Promise<void> => {
      await csv.append(`${csvBatch.join('\n')}\n`)
      await lines.append(`${lineBatch.join('\n')}\n`)
      offsets.push(lines.bytes)
      ;[csvBatch, lineBatch] = [[], []]
    }
    for (const row of rows) {
      csvBatch.push(`${plainTime(row.timeMs)},${row.tags.join(',')},${row.fields.join(',')}`)
      lineBatch.push(lineOf(row, measurement))
      if (lineBatch.length === batchRows) await flush()
    }
    if (lineBatch.length > 0) await flush()
  } finally {
    await Promise.all([csv.close(), lines.close()])
  }
  return { path: linePath, offsets }
}

/**
 * `send` given the bodies of `file` one by one, each read from the file at its offset when a sender asks for it (the
 * senders ask for their next body before their current one is answered: at most two per sender are in memory).
 */
export async function sendLineFile<T>(file: LineFile, send: (next: NextBody) => Promise<T>): Promise<T> {
  const handle = await fs.promises.open(file.path, 'r')
  let index = 0
  const next: NextBody = async () => {
    const i = index++ // claimed before the read, so two senders never take the same body
    if (i + 1 >= file.offsets.length) return undefined
    const [start, end] = [file.offsets[i]!, file.offsets[i + 1]!]
    const body = Buffer.allocUnsafe(end - start)
    const { bytesRead } = await handle.read(body, 0, body.length, start)
    if (bytesRead !== body.length) throw new Error(`${file.path}: read ${bytesRead} of ${body.length} bytes at ${start}`)
    return body
  }
  try {
    return await send(next)
  } finally {
    await handle.close()
  }
}
