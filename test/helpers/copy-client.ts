// test/helpers/copy-client: COPY through node-postgres and pg-copy-streams, for tests and the bench: send a Buffer (or
// an iterable of chunks) with COPY … FROM STDIN, read all of COPY … TO STDOUT, and capture errors as plain fields.
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'

export interface ErrorFields { readonly code: string; readonly message: string; readonly where: string | undefined }

/** The SQLSTATE, message and CONTEXT of a pg error (anything else is rethrown). */
export function errorFields(thrown: unknown): ErrorFields {
  const error = thrown as { code?: string; message?: string; where?: string }
  if (typeof error.code !== 'string') throw thrown
  return { code: error.code, message: error.message ?? '', where: error.where }
}

/** A client of the server on `port` as user postgres, connected. */
export async function connectPostgresUser(port: number): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' })
  await client.connect()
  return client
}

/** What `run` gives, as text, or its error's fields: two systems' outcomes compare with deepEqual. */
export async function outcome(run: () => Promise<unknown>): Promise<ErrorFields | string> {
  try {
    return String(await run())
  } catch (thrown) {
    return errorFields(thrown)
  }
}

/** COPY … FROM STDIN with `chunks` as CopyData; resolves with the row count of the command tag. */
export async function copyIn(client: pg.Client, sql: string, chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<number> {
  const stream = client.query(copyFrom(sql))
  await pipeline(Readable.from(chunks, { objectMode: false }), stream)
  return Number(stream.rowCount)
}

/** COPY … TO STDOUT, every byte. */
export async function copyOut(client: pg.Client, sql: string): Promise<Buffer> {
  const parts: Buffer[] = []
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { parts.push(chunk); done() } })
  await pipeline(client.query(copyTo(sql)), sink)
  return Buffer.concat(parts)
}

/** COPY … TO STDOUT counting bytes only (for large outputs). */
export async function copyOutByteCount(client: pg.Client, sql: string): Promise<number> {
  let count = 0
  const sink = new Writable({ write(chunk: Buffer, _encoding, done) { count += chunk.length; done() } })
  await pipeline(client.query(copyTo(sql)), sink)
  return count
}
