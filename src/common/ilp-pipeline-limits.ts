// src/common/ilp-pipeline-limits: how many ILP parse jobs run at once (limits.ts holds the rest of the ILP limits
// and is full). See ARCHITECTURE.md, "ILP ingest cost" (HTTP bodies of several writers parsed side by side).

// ILP parse workers at least, whatever the core count (availableParallelism − 1 is 1 on 2 cores): bodies of two
// HTTP writers, or runs of two TCP connections, parse side by side instead of one behind the other while the other
// half of the pipeline (WAL fsync, the cores' apply, the client's next request) leaves a CPU idle. Workers start only
// when jobs overlap and exit after ILP_PARSE_WORKER_IDLE_EXIT_MS idle, so a lone writer never has a second isolate.
export const ILP_PARSE_WORKERS_MIN_COUNT = 2
// Bytes of HTTP bodies queued that go to a further parse worker while one is parsing: a large body (TSBS's 5,000-line
// ones are ~1.8 MiB) parses at once; smaller ones wait for the running job and go together as one job and one
// record per measurement, whose fixed costs (the round trip, a WAL record, each core's apply) they then share.
export const ILP_HTTP_PARALLEL_PARSE_BYTES_MIN = 1024 * 1024
