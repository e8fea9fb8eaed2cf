// src/common/detach-protector: give up V8's "no buffer was ever detached" assumption before any code is optimized.

/**
 * Detaches a throw-away ArrayBuffer. V8 compiles typed-array accesses without detach checks until the isolate first
 * detaches a buffer (a postMessage transfer), and then throws away ALL optimized code that relied on that: an
 * isolate-wide "protector". An isolate that transfers at all (the event loop hands ILP bodies and COPY chunks to the
 * parse workers; they hand payloads back) would otherwise recompile its hot code at its first transfer — for the COPY
 * parse worker that was the end of the first COPY, so the second ran unoptimized while TurboFan recompiled
 * (`--trace-deopt`: "marking dependent code … code dependencies"). Called first thing in each such isolate.
 */
export function invalidateDetachProtector(): void {
  const buffer = new ArrayBuffer(8)
  structuredClone(buffer, { transfer: [buffer] })
}
