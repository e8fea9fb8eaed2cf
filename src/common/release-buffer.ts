// src/common/release-buffer: gives dead ArrayBuffers' memory back to malloc without waiting for their isolate's GC
// to find them (issue 10: RSS after bulk ingest). A buffer that lived through two scavenges sits in the old
// generation, which V8 collects only at a mark-compact; for ArrayBuffers those come after ~64 MiB more external
// memory per isolate, and meanwhile malloc's arenas grow past the dead stores and keep the pages once they are freed
// (`malloc_trim` from gdb after 864 k TSBS rows over ILP HTTP: RSS 327 → 220 MiB). Two ways, by isolate:
// - Where buffers are transferred anyway (the event loop, the ILP parse workers), detach the dead one (releaseBuffer,
//   releaseBuffersNow).
// - Elsewhere (the cores) never detach: the first detach in an isolate invalidates V8's ArrayBuffer-detaching
//   protector, and every typed-array access there pays a detached check from then on (bench/micro/core-apply: 220–243
//   → 287–305 ns per row after one detach). collectOutgrown runs a full GC instead, once enough has died.

/**
 * Bytes of outgrown memtable arrays a thread drops before collectOutgrown runs a full GC to free them: a few GCs per
 * core per 864 k TSBS rows, and RSS after that load as low as with arrays sized right from the start (measured).
 */
export const OUTGROWN_GC_BYTES = 8 * 1024 * 1024

/**
 * Detaches `buffer` (every view of it reads as empty from then on, so only its sole owner may call this) and hands
 * its store to a new, young ArrayBuffer that the isolate's next scavenge frees; ~3 µs. Only in an isolate that
 * already transfers buffers (see above).
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

let outgrownBytes = 0

/**
 * Counts `bytes` of long-lived arrays this thread just dropped (a memtable's, outgrown), and collects them with a
 * full GC once OUTGROWN_GC_BYTES have died since the last.
 */
export function collectOutgrown(bytes: number): void {
  outgrownBytes += bytes
  if (outgrownBytes < OUTGROWN_GC_BYTES) return
  outgrownBytes = 0
  // `gc` where node runs with --expose-gc (bin/nodedb passes it); without it (servers in a test process) nothing runs.
  ;(globalThis as { gc?: () => void }).gc?.()
}
