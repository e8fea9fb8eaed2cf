// wire/ilp/http-timeline: where an HTTP write body's time goes, for measuring the pipeline (issue 10), only with
// NODEDB_ILP_HTTP_TIMELINE=FILE (JSON lines appended to it: the bench does not show its servers' logs). Stages:
// headers → body read ('queued' for the parse coalescer) → its group posted to the pool → parsed → written (WAL durable
// and every core applied) → answered; and 'client', from a connection's answer to its next request. Marks are keyed by
// the request's connection (one request at a time on each). Every TIMELINE_REPORT_COUNT requests it appends each
// stage's mean and the parse and write stages' summed time over wall time (above 1: requests overlapped there).
// Off, a mark is one boolean test.
import fs from 'node:fs'

const timelineFile = process.env['NODEDB_ILP_HTTP_TIMELINE'] ?? ''
const isTimelineOn = timelineFile !== ''

const STAGES = ['read', 'queued', 'posted', 'parsed', 'written', 'answered'] as const
type Stage = typeof STAGES[number]

const TIMELINE_REPORT_COUNT = 40

const marks = new WeakMap<object, Map<Stage, number>>()
/** Each connection's last answer: the gap to its next request is the client's. */
const answeredAt = new WeakMap<object, number>()
const sums = new Map<string, number>()
let requestCount = 0
let windowStartMs = 0

/** Records `stage` of the request on `writer` (its connection) now; the 'read' mark starts a request. */
export function markStage(writer: object | null, stage: Stage): void {
  if (!isTimelineOn || writer === null) return
  const nowMs = performance.now()
  if (stage === 'read') {
    marks.set(writer, new Map())
    const lastMs = answeredAt.get(writer)
    if (lastMs !== undefined) sums.set('client', (sums.get('client') ?? 0) + nowMs - lastMs)
  }
  marks.get(writer)?.set(stage, nowMs)
  if (stage === 'answered') {
    answeredAt.set(writer, nowMs)
    finish(writer, nowMs)
  }
}

function finish(writer: object, nowMs: number): void {
  const times = marks.get(writer)
  marks.delete(writer)
  if (times === undefined) return
  if (requestCount === 0) windowStartMs = times.get('read') ?? nowMs
  requestCount++
  let previous = times.get('read')!
  for (const stage of STAGES.slice(1)) {
    const at = times.get(stage)
    if (at === undefined) continue
    sums.set(stage, (sums.get(stage) ?? 0) + at - previous)
    previous = at
  }
  if (requestCount < TIMELINE_REPORT_COUNT) return
  const wallMs = nowMs - windowStartMs
  const means = Object.fromEntries([...sums].map(([stage, ms]) => [stage, Number((ms / requestCount).toFixed(2))]))
  // Synchronous, but only when measuring, once per TIMELINE_REPORT_COUNT requests.
  fs.appendFileSync(timelineFile, `${JSON.stringify({ requests: requestCount, wallMs: Math.round(wallMs), meanMsToStage: means,
    parseBusyShare: Number(((sums.get('parsed') ?? 0) / wallMs).toFixed(2)),
    writeBusyShare: Number(((sums.get('written') ?? 0) / wallMs).toFixed(2)) })}\n`)
  sums.clear()
  requestCount = 0
}
