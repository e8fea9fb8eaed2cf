// src/common/release-buffer: frees an ArrayBuffer's memory without waiting for its isolate's GC to find it dead
// (issue 10: RSS after bulk ingest). A buffer that lived through a few scavenges sits in the old generation, which
// V8 collects only at a mark-compact; for ArrayBuffers those come after ~64 MiB more external memory per isolate, and
// meanwhile malloc's arenas grow past the dead stores and keep the pages once they are freed. Measured on the
// memtables' growth: ~40–60 MiB less RSS after 864 k TSBS rows over ILP HTTP (ARCHITECTURE.md).

/**
 * Detaches `buffer` (every view of it reads as empty from then on, so only its sole owner may call this) and hands
 * its store to a new, young ArrayBuffer that the isolate's next scavenge frees; ~3 µs.
 */
export function releaseBuffer(buffer: ArrayBuffer): void {
  if (buffer.byteLength > 0) structuredClone(buffer, { transfer: [buffer] })
}

/**
 * Detaches `buffers` (as releaseBuffer) and frees them within a few milliseconds without any GC: a message carrying
 * them through a channel closed at once is dropped with its stores. For an idle thread, where no scavenge would come.
 */
export function releaseBuffersNow(buffers: ArrayBuffer[]): void {
  if (buffers.length === 0) return
  const { port1, port2 } = new MessageChannel()
  port1.postMessage(null, buffers)
  port1.close()
  port2.close()
}
