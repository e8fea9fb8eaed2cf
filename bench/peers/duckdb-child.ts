// bench/peers/duckdb-child: DuckDB (@duckdb/node-api) in a process of its own, so the bench can read its RSS and a
// native crash takes down only this peer. Protocol: one JSON request per stdin line, `{ id, sql }`, answered by one
// stdout line `{ id, rows }` or `{ id, error }`. argv[2] is the database file.
import readline from 'node:readline'
import { DuckDBInstance } from '@duckdb/node-api'

type Cell = string | number | null

/** Timestamps as epoch ms and integers as numbers, like the other engines' cells. */
function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null
  if (typeof value === 'number' || typeof value === 'string') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (typeof value === 'object' && 'micros' in value && typeof value.micros === 'bigint') return Number(value.micros / 1000n)
  return String(value)
}

async function main(): Promise<void> {
  const instance = await DuckDBInstance.create(process.argv[2] ?? ':memory:')
  const connection = await instance.connect()
  const lines = readline.createInterface({ input: process.stdin })
  for await (const line of lines) {
    const request = JSON.parse(line) as { id: number; sql: string }
    let reply: string
    try {
      const reader = await connection.runAndReadAll(request.sql)
      const rows = reader.getRows().map((row) => row.map(toCell))
      reply = JSON.stringify({ id: request.id, rows })
    } catch (error: unknown) {
      reply = JSON.stringify({ id: request.id, error: error instanceof Error ? error.message : String(error) })
    }
    process.stdout.write(`${reply}\n`)
  }
  connection.closeSync()
}

main().catch((error: unknown) => {
  process.stderr.write(`duckdb child failed: ${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
