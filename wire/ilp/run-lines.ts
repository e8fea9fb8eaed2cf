// wire/ilp/run-lines: where the complete lines of buffered ILP input end, for a TCP connection cutting its input into
// runs for the parse pool. Bytes only: knows nothing of the line protocol beyond '\n' and the line limit.
import { ILP_LINE_BYTES_MAX } from '../../src/common/limits.js'

const NEWLINE = 10

/** Bytes of `chunks` up to and including their last '\n' (0 when there is none). */
export function completeLineBytes(chunks: ReadonlyArray<Buffer>): number {
  let before = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
  for (let i = chunks.length - 1; i >= 0; i--) {
    const chunk = chunks[i]!
    before -= chunk.length
    const newline = chunk.lastIndexOf(NEWLINE)
    if (newline >= 0) return before + newline + 1
  }
  return 0
}

/** The '\n's in `buf`, or -1 when a line is longer than ILP_LINE_BYTES_MAX (that one must go inline: it closes). */
export function countLines(buf: Buffer): number {
  let count = 0
  let start = 0
  for (let pos = buf.indexOf(NEWLINE); pos >= 0; pos = buf.indexOf(NEWLINE, start)) {
    if (pos - start > ILP_LINE_BYTES_MAX) return -1
    count++
    start = pos + 1
  }
  return count
}
