// wire/ilp/request-parts: several HTTP bodies parsed as one payload, side by side (http-parse-coalescer.ts), and where
// each request's lines sit in it, worked out in the parse worker beside the parse: each body's line count, and how
// many rows of each batch came from each body. Batches encoded ahead cross back without their line numbers
// (leanAhead), so this is what lets each request be answered as alone. No sockets, SQL or storage.
import { IlpParser, type IlpParseOptions, type IlpParseResult } from './ilp-parser.js'
import type { LineBatch } from './line-batch.js'
import type { LineParser } from './line-parser.js'

const NEWLINE = 10

/** Lines the parser counts in `body[from, to)`: '\n'-terminated ones plus a final unterminated one. */
export function lineCountOf(body: Buffer, from = 0, to = body.length): number {
  let count = 0
  for (let at = body.indexOf(NEWLINE, from); at >= 0 && at < to; at = body.indexOf(NEWLINE, at + 1)) count++
  return to > from && body[to - 1] !== NEWLINE ? count + 1 : count
}

/** The bodies' places in a joined payload, as the worker reports them. */
export interface RequestParts {
  /** Lines of each body (its line numbers run 1..lineCount; the next body's follow on). */
  readonly lineCounts: ReadonlyArray<number>
  /** rows[b][p]: rows of batch b that came from body p. */
  readonly rows: ReadonlyArray<ReadonlyArray<number>>
}

/** Whether the next body's first line would continue `body`'s last one: it is then parsed with a '\n' after it. */
export function needsNewline(body: Uint8Array): boolean {
  return body.length > 0 && body[body.length - 1] !== NEWLINE
}

const NEWLINE_BYTES = Buffer.from([NEWLINE])

/**
 * parseLines of the bodies side by side, each ending in '\n' (the parser reads a stream in chunks with the same
 * result, so no joined copy is made); the line numbers of each body follow on the previous one's.
 */
export function parseBodies(bodies: ReadonlyArray<Buffer>, options: IlpParseOptions, lineParser?: LineParser): IlpParseResult {
  const parser = new IlpParser(options, lineParser)
  for (const body of bodies) {
    parser.feed(body)
    if (needsNewline(body)) parser.feed(NEWLINE_BYTES)
  }
  return parser.end()
}

/** Each batch's rows per body, from the bodies' line counts (rows are in line order within a batch). */
export function requestParts(lineCounts: ReadonlyArray<number>, batches: ReadonlyArray<LineBatch>): RequestParts {
  // By binary search for each body's last line: O(bodies · log rows) per batch, not a walk over every row.
  const rows = batches.map((batch) => {
    const counts: number[] = []
    let lineTo = 0
    let rowFrom = 0
    for (const lineCount of lineCounts) {
      lineTo += lineCount
      const rowTo = rowsThrough(batch.lineNumbers, batch.rowCount, lineTo)
      counts.push(rowTo - rowFrom)
      rowFrom = rowTo
    }
    return counts
  })
  return { lineCounts, rows }
}

/** How many of the first `rowCount` (ascending) line numbers are at most `line`. */
function rowsThrough(lineNumbers: Uint32Array, rowCount: number, line: number): number {
  let low = 0
  let high = rowCount
  while (low < high) {
    const middle = (low + high) >>> 1
    if (lineNumbers[middle]! <= line) low = middle + 1
    else high = middle
  }
  return low
}
