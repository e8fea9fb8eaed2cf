// engine/timeseries/codecs/chunk-corrupt-error: the one error a codec throws on bytes it cannot trust.
// Knows nothing of files or SQL: the core maps it to EngineFailure 'Corrupt' (XX001) further up.

/**
 * Stored bytes failed a check: a CRC mismatch, a read past the end, or a field out of range. Corrupt bytes are
 * input, not a bug, so this is an ordinary error (never an assertion); a decoder that throws it returns no data.
 */
export class ChunkCorruptError extends Error {
  /** Byte offset, in the buffer handed to the decoder, of the chunk whose CRC failed or of the failing read. */
  readonly offset: number

  constructor(offset: number, reason: string) {
    super(`corrupt column chunk at byte ${offset}: ${reason}`)
    this.name = 'ChunkCorruptError'
    this.offset = offset
  }
}
