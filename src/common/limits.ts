// src/common/limits: every bound nodedb enforces, with its unit and why. Relations between bounds are asserted at load.

// vShards are the unit of ownership (hash(table, series) mod this); a power of two so they can be split later.
export const VSHARD_COUNT = 1024
// PostgreSQL's own startup packet limit (MAX_STARTUP_PACKET_LENGTH); a larger one is a protocol violation.
export const PG_STARTUP_BYTES_MAX = 10_000
// Largest frontend message we buffer (PostgreSQL allows 1 GiB; a time-series INSERT of 64 MiB is already huge).
export const PG_MESSAGE_BYTES_MAX = 64 * 1024 * 1024
// Messages handled per socket 'data' event before yielding to the event loop (run at our own pace).
export const PG_MESSAGES_PER_TICK_COUNT = 256
// Answers held back while pipelined frames wait behind a running statement, so a round trip is one socket write;
// PostgreSQL's output buffer (PQ_SEND_BUFFER_SIZE) is 8 KiB, past it the answers go out as they come.
export const PG_HELD_OUTPUT_BYTES_MAX = 8 * 1024
// Constant statements (SELECT 1, a pool's validation query) whose answer bytes a session keeps (wire/pg/constant-answers.ts).
export const PG_CONSTANT_ANSWERS_PER_SESSION_COUNT_MAX = 32
// The largest answer kept (SELECT 1's is 58 bytes): at most 32 × 2 × 512 B = 32 KiB a session.
export const PG_CONSTANT_ANSWER_BYTES_MAX = 512
// Concurrent pg connections; the next one gets 53300.
export const PG_CONNECTIONS_MAX_COUNT = 1000
// Socket bytes waiting to be sent before we stop reading from that client (backpressure).
export const PG_SEND_BUFFER_BYTES_MAX = 8 * 1024 * 1024
// Unread input queued per connection while a statement runs, before we stop reading that socket (backpressure).
export const PG_RECEIVE_QUEUE_BYTES_MAX = 8 * 1024 * 1024
// How long shutdown waits for in-flight statements before dropping their sockets.
export const PG_SHUTDOWN_WAIT_MS = 5000
// PostgreSQL's authentication_timeout default: a socket that has not finished startup and authentication by then is
// closed, so unauthenticated clients cannot hold connection slots (issue 9).
export const PG_AUTHENTICATION_TIMEOUT_MS = 60_000
// Input buffered from a client that has not authenticated yet (PostgreSQL reads auth messages with a 65535-byte cap,
// PG_MAX_AUTH_TOKEN_LENGTH); more closes the socket, so unauthenticated clients cannot make us hold megabytes each.
export const PG_UNAUTHENTICATED_BYTES_MAX = 65_535
// Open sockets per connection slot: past (connections max × this) a socket is dropped at once instead of being
// told 53300, so a connection flood cannot grow memory.
export const PG_SOCKETS_PER_CONNECTION_MAX_COUNT = 2
// Bytes of NOTIFY notifications held at once over the whole server (sql/exec/notifications.ts): those notified by
// open transactions and those queued for listeners that have not received them (each counted once, channel + payload
// + 32). PostgreSQL's queue is 8 GB on disk; past this bound NOTIFY fails with its 54000 "too many notifications in
// the NOTIFY queue", so a listener that never reads cannot grow the server without bound.
export const NOTIFY_QUEUE_BYTES_MAX = 64 * 1024 * 1024
// Prepared statements and portals a session may hold; more is 54000 rather than unbounded growth.
export const PG_STATEMENTS_PER_SESSION_COUNT_MAX = 10_000
// Rows one result may hold in memory before 54000 (streaming results come later).
export const RESULT_ROWS_MAX_COUNT = 10_000_000
// Longest one slice of a statement's main-thread work (an operator's rows, DataRows of a materialized result) holds
// the event loop before it yields a turn (invariant 5): another session's SELECT 1 waits about this much behind it.
export const EVENT_LOOP_SLICE_MS = 2
// Rows the control-side operators of one statement may hold together (sort, hash aggregate, join build, window,
// materialized CTEs) before 53200: about 2 GiB at ~200 bytes a row, well inside the 24 GiB machine.
export const QUERY_ROWS_HELD_MAX_COUNT = 10_000_000
// Distinct correlation keys whose subquery results one correlated subquery keeps per statement (a memo, not a
// result: past it the subquery simply runs again for each new key).
export const SUBQUERY_MEMO_ENTRIES_MAX_COUNT = 10_000
// Tables in the catalog.
export const TABLES_MAX_COUNT = 10_000
// Columns per table (PostgreSQL's MaxTupleAttributeNumber is 1664).
export const COLUMNS_PER_TABLE_MAX_COUNT = 1600
// Bytes of one SPSC ring (request or response); a power of two so indices mask cheaply. A ring's pages stay resident
// once written; a producer that finds its ring empty starts again at position 0 (spsc-ring.ts), so only the deepest
// backlog is resident (~3 of 8 MiB per request ring after the bench's ILP loads; before, wholly). 2 MiB rings saved 12-25 MiB but slowed
// ILP TCP ingest (every core receives the whole WAL payload of each 4 MiB run): 54k against 96k rows/s and +0.7 CPU
// s per M rows, bench means of three runs each. So 8 MiB (issue 10, ARCHITECTURE.md).
export const RING_BYTES = 8 * 1024 * 1024
// Largest single frame written to a ring in one piece; larger payloads are split into fragments.
export const RING_FRAME_BYTES_MAX = RING_BYTES / 4
// Largest WAL record; an INSERT or ILP request larger than this is rejected with 54000.
export const WAL_RECORD_BYTES_MAX = 256 * 1024 * 1024
// Ingest payloads are encoded into reused buffers (engine/wal/ingest-flat.ts): this many are kept between ingests,
// two per concurrent writer (the rings' flat payload and the WAL's compact one; the bench's 4 COPYs or INSERT
// connections), so the steady state allocates none.
export const INGEST_ENCODE_BUFFERS_MAX_COUNT = 8
// A buffer above this is not kept: a rare huge COPY should not pin its payload's memory after it is done.
export const INGEST_ENCODE_BUFFER_BYTES_MAX = 16 * 1024 * 1024
// Young generation of each worker isolate (cores, ILP parse workers), MiB: 3 is a 1 MiB semi-space (V8's cap: 16;
// main.ts keeps bin/nodedb's process-wide --max-semi-space-size=2 from overriding it). These threads free many
// short-lived ArrayBuffers, whose stores go back to malloc only when a scavenge finds them dead (issue 10).
export const WORKER_YOUNG_GENERATION_MB = 3
// Default memtable budget per core, in MiB (--memtable-mb).
export const MEMTABLE_MB_DEFAULT = 64
// Hard bounds on --memtable-mb.
export const MEMTABLE_MB_MIN = 1
export const MEMTABLE_MB_MAX = 16 * 1024
// Hard bound on --cores (each is a worker thread with two rings).
export const CORES_MAX_COUNT = 64

// --- engine: WAL, dispatch, cores, memtables
// A WAL segment file is rotated once it holds this many bytes, so truncation can later delete whole files.
export const WAL_SEGMENT_BYTES = 64 * 1024 * 1024
// With --fsync=batch, the WAL is fsynced at most this often: the window of acknowledged writes a power loss may lose.
export const WAL_BATCH_FSYNC_INTERVAL_MS = 100
// Records written by one group commit (one write + one fsync); later appends wait for the next round.
export const WAL_GROUP_COMMIT_RECORDS_MAX_COUNT = 4096
// Frames queued on the control side for one core while its request ring is full; beyond this, new ingests wait.
export const DISPATCH_QUEUE_FRAMES_MAX_COUNT = 1024
// Replay logs a progress line at most this often.
export const REPLAY_PROGRESS_INTERVAL_MS = 1000
// Requests a core handles per tick before it drains its response outbox again (runs at its own pace).
export const CORE_REQUESTS_PER_TICK_COUNT = 64
// A core receives ingest payloads of at least CORE_RECEIVE_BUFFER_BYTES_MIN and at most CORE_RECEIVE_BUFFER_BYTES_MAX
// into one buffer it keeps and reuses (issue 10: a fresh one per ingest, ~2 MiB per TCP run on each core, was churn
// that glibc keeps as RSS); smaller messages and larger ones get buffers of their own.
export const CORE_RECEIVE_BUFFER_BYTES_MIN = 64 * 1024
export const CORE_RECEIVE_BUFFER_BYTES_MAX = RING_BYTES
// Rows in one batch of a streaming raw scan (a core's RowsPartial): ~100 KiB of narrow rows per ring frame, and
// small enough that converting one batch to SQL values on the control thread stays well under a millisecond.
export const SCAN_BATCH_ROWS_COUNT = 4096
// Batches a core may send ahead of what the consumer of a streaming scan has pulled (credit): enough to keep the core
// busy while the control side encodes, few enough that a slow client holds at most this many batches per core.
export const SCAN_STREAM_BATCHES_AHEAD_COUNT = 4
// Longest one tick of a core spends collecting or sorting an ORDER BY's rows (engine/core/sort-scan.ts) before it
// takes its requests again: a cancel, an ingest or another scan waits about this much behind a sort.
export const CORE_SORT_STEP_MS = 2
// Bytes of rows one ORDER BY may hold on one core while it sorts them (its columns, joined, plus the permutation and
// the keys); more fails the statement with 53200 rather than growing the worker (invariant 4). Nothing spills.
export const CORE_SORT_BYTES_MAX = 512 * 1024 * 1024
// Rows a streaming scan examines per core tick: a selective filter may not fill a batch for a long time, and the core
// must still take ingests between steps (a step ends early with a partial batch).
export const SCAN_STEP_ROWS_EXAMINED_MAX_COUNT = 16 * SCAN_BATCH_ROWS_COUNT
// Bytes of decoded segment chunks a core keeps for later scans (engine/timeseries/chunk-cache.ts): segments are
// immutable, so a repeated query over them skips CRC checks, decoding and allocating. 32 MiB per core holds a few
// million float cells (a working set of recent segments' queried columns) and stays small beside the memtable budget.
export const CORE_DECODED_CHUNK_CACHE_BYTES = 32 * 1024 * 1024
// The server's default for that budget (`--cache-mb`): 128 MiB per core holds a day of 100 hosts' ten float columns
// decoded (the TSBS working set, about 95 MiB per core on 2 cores), so repeated dashboards over it decode nothing;
// beside a 64 MiB memtable budget it keeps a core under ~200 MiB, a small share of a server's memory.
export const CHUNK_CACHE_MB_DEFAULT = 128
// The largest --cache-mb accepted: 64 GiB per core, beyond any machine nodedb is sized for; it only catches typos.
export const CHUNK_CACHE_MB_MAX = 64 * 1024
// Longest one call of the control thread's k-way merge of the cores' sorted batches (engine/sorted-merge.ts) runs
// before it hands out what it has: one turn of the event loop, not a whole 4,096-row batch while V8 is still
// interpreting the merge (up to ~3 ms then, ~0.2 ms once optimized).
export const CONTROL_MERGE_SLICE_MS = 1
// How long a core sleeps in Atomics.wait when it has output waiting for room in its response ring.
export const CORE_OUTBOX_RETRY_MS = 1
// How long the control thread waits before retrying a push to a full request ring.
export const CONTROL_OUTBOX_RETRY_MS = 1
// Rows of the shared zero null maps and symbol ids memtable columns start on (memtable.ts); they grow with the
// largest memtable, so this only spares a few early regrowths.
export const MEMTABLE_SHARED_ZEROS_ROWS_COUNT = 1024
// Runs of time-ordered rows a memtable's time index keeps (time-runs.ts): each costs a scan two binary searches, so
// past this many (rows far out of order) testing every row is as cheap and the index is dropped.
export const MEMTABLE_TIME_RUNS_MAX_COUNT = 1024

// --- engine: segment column chunks
// Values in one column chunk. Segments cut chunks far smaller (a few hundred thousand rows); a stored count above
// this is corrupt, and bounding it keeps a flipped bit from making a decoder allocate gigabytes.
export const CHUNK_VALUES_MAX_COUNT = 1 << 24
// Entries in one chunk's symbol dictionary (ids are int32; a chunk cannot reference more symbols than values).
export const CHUNK_DICTIONARY_MAX_COUNT = CHUNK_VALUES_MAX_COUNT

// --- engine: segments, manifest, flush, checkpoint (issue #4)
// Rows per row group of a segment: one chunk per column per group; the footer keeps time min/max per group for pruning.
export const SEGMENT_ROW_GROUP_ROWS_COUNT = 65_536
// Default width of a time partition (one day); a segment never spans two partitions, retention drops whole ones.
export const PARTITION_WIDTH_US_DEFAULT = 86_400_000_000
// Largest segment footer we read back; a stored length above it is corrupt (a flipped bit must not allocate GiBs).
export const SEGMENT_FOOTER_BYTES_MAX = 16 * 1024 * 1024
// Segment files read at once on the control thread for one scan (bounded concurrency, no unbounded Promise.all).
export const SEGMENT_READS_IN_FLIGHT_MAX_COUNT = 16
// Unpinned segment file descriptors the control thread keeps open for later scans (cores read chunks through them);
// pinned ones (a scan still reading) come on top. Far below the usual 1,024 soft limit on open files.
export const SEGMENT_FILES_OPEN_MAX_COUNT = 256
// Segment file bytes a DELETE rewrites at once (at least one segment, at most SEGMENT_READS_IN_FLIGHT_MAX_COUNT):
// each is held whole, decoded and re-encoded, so this bounds the DELETE's memory, not the table's size.
export const DELETE_REWRITE_BYTES_MAX = 64 * 1024 * 1024
// Values a DELETE's `x IN (SELECT …)` may bring back: they become an IN list in its WAL record and every core tests
// each candidate row against all of them (numeric lists are searched linearly), so a larger set is refused (0A000).
export const DELETE_SUBQUERY_VALUES_MAX_COUNT = 1_000
// New ingests to a core wait while its memtables hold more than this many budgets (a flush is still being written).
export const MEMTABLE_PAUSE_BUDGETS_COUNT = 2
// Closed WAL segments kept before the cores still holding their rows are asked to flush early (bounds WAL disk use
// and replay time when a core's memtables fill slowly and would otherwise pin the WAL forever).
export const WAL_CLOSED_SEGMENTS_MAX_COUNT = 4
// WAL payload bytes replay sends ahead to the cores before their answers come back: keeps memtable reports (and so
// flushes and the pause of invariant 4) in step with replay instead of filling rings and queues first.
export const REPLAY_IN_FLIGHT_BYTES_MAX = 4 * 1024 * 1024
// A memtable whose first row is older than this is flushed at the core's next request even under budget, so a
// slow table does not keep its rows in memory (and the WAL) indefinitely.
export const MEMTABLE_FLUSH_AGE_MS = 10 * 60 * 1000
// A core whose memtables got no ingest for this long is asked to flush them (a timer on the control thread, so no
// traffic is needed): the rows of a stream that stopped reach segments, and the WAL is checkpointed, by themselves.
// InfluxDB's cache-snapshot-write-cold-duration plays this part (10 min); a short one would cut a segment for every
// write of a sender slower than it, so it stays well above common agent intervals (10–60 s).
export const MEMTABLE_IDLE_FLUSH_MS = 2 * 60 * 1000
// How often the control thread looks for idle and aged memtables.
export const MEMTABLE_IDLE_CHECK_MS = 1000
// How often the retention (TTL) job looks for expired partitions (also run at open and after ALTER TABLE ... SET
// (ttl)); partitions are a day wide by default, so a minute's lateness is noise, and a pass is cheap when idle.
export const RETENTION_CHECK_INTERVAL_MS = 60 * 1000
// Segments of one (table, vShard, partition) that make compaction merge them (each flush adds one per partition).
export const COMPACTION_SEGMENTS_MIN_COUNT = 4
// Segments merged by one compaction at most (bounds the files read and the bytes sent to a core at once).
export const COMPACTION_SEGMENTS_MAX_COUNT = 32
// Rows one compaction merges at most: the core holds them all decoded while it sorts (bounded memory, invariant 4).
export const COMPACTION_ROWS_MAX_COUNT = 2_000_000
// Core restarts after crashes per engine lifetime; beyond it a crashed core stays down and its requests fail 'Io'
// (a worker that dies at start would otherwise restart forever).
export const CORE_RESTARTS_MAX_COUNT = 16
// After a failed segment flush or compaction (disk full), the first pause before it is tried again; each failure in
// a row doubles it, up to BACKGROUND_RETRY_MAX_MS. A second is what operators expect after freeing space.
export const FLUSH_RETRY_MS = 1000
// Longest pause between attempts of a failing flush or compaction (issue 12): a volume that stays full is not
// hammered with segments that cannot be written, and freed space is still used within half a minute.
export const BACKGROUND_RETRY_MAX_MS = 30 * 1000
// Disk full (issue 12): how often the background probe retries a small write + fsync in the WAL dir (and statfs)
// while writes are refused; a second is what operators expect after freeing space, and costs one 4 KiB write.
export const DISK_PROBE_INTERVAL_MS = 1000
// Bytes the probe writes and fsyncs: one page, so it succeeds only when the filesystem can take a new block.
export const DISK_PROBE_BYTES = 4096
// "Writes refused: disk full" is logged at most once per this interval (per condition), never once per line.
export const DISK_FULL_LOG_INTERVAL_MS = 10 * 1000
// Default write headroom (--disk-reserve-mb unset): ingest is refused below this many free MiB, capped at
// DISK_RESERVE_PERCENT_DEFAULT of the filesystem, so small volumes are not refused outright.
export const DISK_RESERVE_MB_DEFAULT = 256
// The default reserve never exceeds this share of the filesystem's size, in percent.
export const DISK_RESERVE_PERCENT_DEFAULT = 5
// Upper bound of --disk-reserve-mb (1 TiB): beyond it the flag is surely a typo.
export const DISK_RESERVE_MB_MAX = 1024 * 1024
// Forced flush rounds per core in one Engine.flushAll(): each round waits for the flush in flight, then asks for one;
// rows keep arriving meanwhile, so a failing disk (or a flood) ends the call with 'Io' instead of looping forever.
export const FLUSH_ALL_ROUNDS_MAX_COUNT = 16

// --- wire/ilp: InfluxDB line protocol over TCP and HTTP (issue #5)
// Longest line, in bytes without its '\n': one 64 KiB string field (InfluxDB's string limit) plus names and
// numbers; it also bounds the tail a connection buffers, so 1000 connections hold at most 128 MiB of partial lines.
export const ILP_LINE_BYTES_MAX = 128 * 1024
// Slots in each name cache (direct-mapped, a power of two): enough for every measurement, tag key and field key
// of a typical schema plus the hot tag values, while staying a fixed few hundred KiB per parser.
export const ILP_NAME_CACHE_SLOT_COUNT = 4096
// Names longer than this, in bytes, are decoded each time instead of cached: long names are rare, and the cap keeps
// the cache's memory at most SLOT_COUNT × this.
export const ILP_NAME_CACHE_KEY_BYTES_MAX = 128
// Series keys (measurement + tag set) each ILP parser remembers, 16-way set-associative (a power of two): up to ~2,000
// series sent round-robin (TSBS's hosts) parse their tags once, not on every line (2,048 slots, 2-way: 1,000 missed 24%).
export const ILP_SERIES_KEY_SLOT_COUNT = 4096
// Longest series key remembered, in bytes (TSBS's is ~220); longer keys are parsed tag by tag every time. With the
// slot count it bounds one parser's series cache at 2 MiB, as its name caches are bounded.
export const ILP_SERIES_KEY_BYTES_MAX = 512
// Errors kept per parse result and per ingest outcome (the rest are only counted): HTTP answers with the first, TCP
// logs them, and a stream of garbage must not grow memory without bound.
export const ILP_ERRORS_KEPT_MAX_COUNT = 1000
// Longest table or column name created by ILP, in UTF-8 bytes: PostgreSQL's NAMEDATALEN - 1, so psql shows them whole.
export const ILP_NAME_BYTES_MAX = 63
// Rows a TCP connection parses before it hands them to sql.ingest: bounds the memory one connection holds and the
// size of one WAL record (a few MiB at typical row widths), while keeping records large enough to amortise fsync.
export const ILP_TCP_FLUSH_ROWS_COUNT = 50_000
// A TCP connection with parsed rows but no new data flushes them after this long, so a slow sender's rows still land.
export const ILP_TCP_FLUSH_INTERVAL_MS = 100
// Concurrent ILP TCP connections; past this a new socket is closed at once (there is no reply channel for an error).
export const ILP_TCP_CONNECTIONS_MAX_COUNT = 1000
// ILP TCP authentication (--ilp-auth-file): the key id and signature lines are short (a DER signature is ~96 base64
// characters); a longer line ends the connection, so an unauthenticated client cannot make us buffer.
export const ILP_TCP_AUTH_LINE_BYTES_MAX = 4096
// An unauthenticated ILP TCP client that has not finished the handshake by then is disconnected (frees its slot).
export const ILP_TCP_AUTH_TIMEOUT_MS = 15_000
// Largest HTTP write body, compressed or decompressed, in bytes: 413 above it. The whole body is held while it is
// parsed and WAL'd as one record per table, so it must stay well under WAL_RECORD_BYTES_MAX. Telegraf sends ≤ ~1 MiB.
export const ILP_HTTP_BODY_BYTES_MAX = 64 * 1024 * 1024
// Concurrent HTTP connections; past this new sockets are refused, so a flood cannot grow memory.
export const ILP_HTTP_CONNECTIONS_MAX_COUNT = 1000
// Tables of one ingest request written at once (their WAL records share group commits); more wait their turn, so a
// request naming thousands of measurements cannot start thousands of writes together.
export const ILP_INGEST_TABLES_IN_FLIGHT_COUNT = 8
// Refused lines a TCP connection logs one by one per flush; the rest of that flush's are summed in one log line, so
// a stream of garbage cannot flood the log.
export const ILP_TCP_ERRORS_LOGGED_PER_FLUSH_COUNT = 10
// Characters of a failing line quoted in an HTTP 400 message (InfluxDB quotes the whole line; ours stays readable).
export const ILP_HTTP_QUOTED_LINE_CHARS_MAX = 256
// How long shutdown waits for in-flight ILP writes (TCP flushes, HTTP requests) before dropping their sockets.
export const ILP_SHUTDOWN_WAIT_MS = 5000
// ILP payloads of this many bytes or more parse in the parse pool (invariant 5); smaller ones inline (a round trip costs more).
export const ILP_PARSE_POOL_BYTES_MIN = 256 * 1024
// Most ILP parse worker threads (--ilp-parse-workers; default cores - 1, at least 1): cores and event loop need the rest.
export const ILP_PARSE_WORKERS_MAX_COUNT = 4
// Measurements whose tables go with each ILP parse job (the latest met), so the worker encodes their records' payloads
// ahead: each job carries their schemas, so a few; a client writing more tables gets the rest encoded on the event loop.
export const ILP_PARSE_TABLES_AHEAD_MAX_COUNT = 16
// Parse jobs queued per pool beyond those running: further callers wait for room (backpressure, invariant 4).
export const ILP_PARSE_JOBS_PENDING_MAX_COUNT = 16
// Milliseconds an ILP parse worker stays idle before it exits (its isolate's heap and the buffers it last held go
// with it; the next large payload starts one again, ~50 ms): steady ingest never waits that long between jobs.
export const ILP_PARSE_WORKER_IDLE_EXIT_MS = 10_000
// Complete lines a TCP connection buffers, in bytes, before it hands them to the parse pool as one run: large enough
// to amortise the round trip and keep WAL records big (~16k TSBS rows; 1 MiB runs measured 35% slower), and no more
// than the ~50k parsed rows (ILP_TCP_FLUSH_ROWS_COUNT) a connection held before, so memory per connection stays put.
export const ILP_TCP_POOL_RUN_BYTES = 4 * 1024 * 1024
// Runs of one TCP connection parsed or written at once before its socket is paused (pipelines parse and ingest).
export const ILP_TCP_RUNS_IN_FLIGHT_COUNT = 2
// Bytes all ILP TCP connections together hold (raw input, runs being parsed, lines waiting for sql.ingest) before
// reads pause (--ilp-tcp-buffer-mb): one connection at full speed holds up to ~3 runs (the one filling and those in
// flight), so this lets about five stream at full pipeline depth, while a thousand cannot hold 12 GiB.
export const ILP_TCP_BUFFERED_BYTES_MAX = 64 * 1024 * 1024
// Free input buffers each ILP listener keeps for reuse (wire/ilp/ingest-buffers.ts; a TCP run's is ~4 MiB): enough
// for a few connections' runs in flight to cycle without allocating; a burst beyond them allocates and frees.
export const ILP_INGEST_BUFFERS_KEPT_COUNT = 4
// Milliseconds an ILP input buffer pool goes without a take before it frees the ones it keeps (issue 10: idle RSS).
export const ILP_INGEST_BUFFERS_IDLE_RELEASE_MS = 5000
// Reusable HTTP body buffers' size, in bytes: clients' batches (≤ ~1 MiB) fit; larger bodies: BodyBuffers (http-body.ts).
export const ILP_HTTP_POOLED_BODY_BYTES = 1024 * 1024
// HTTP requests whose sql.ingest runs at once (http-coalescer.ts): 220 requests made 205 calls with two, 128-168 with one
export const ILP_HTTP_INGESTS_IN_FLIGHT_COUNT = 1
// Body bytes of the requests one joined sql.ingest call carries at most: a TCP run's, so its record travels as a run's.
export const ILP_HTTP_COALESCE_BYTES_MAX = ILP_TCP_POOL_RUN_BYTES
// Queued bodies wait this long (ms) for other open connections' (http-writers.ts): ARCHITECTURE.md (HTTP groups).
export const ILP_HTTP_GROUP_HOLD_MS = 20
// Queued bodies of this many bytes together are not held: a record of ~3,000 TSBS rows already amortises its fixed cost.
export const ILP_HTTP_GROUP_HOLD_BYTES = 1024 * 1024
// A connection counts as writing (the hold waits for its body) this long after its last write request, in ms.
export const ILP_HTTP_WRITER_ACTIVE_MS = 1000
// Bytes all HTTP write requests of a listener together hold (bodies read, parsed rows waiting for their answer) before
// further requests wait to be read (--ilp-http-buffer-mb); as ILP_TCP_BUFFERED_BYTES_MAX for TCP.
export const ILP_HTTP_BUFFERED_BYTES_MAX = 64 * 1024 * 1024
// Bounds of --ilp-tcp-buffer-mb. Any budget lets a connection progress (a paused one's lines still reach the pool
// by its flush timer); below a run it only flushes by that timer.
export const ILP_TCP_BUFFER_MB_MIN = 1
export const ILP_TCP_BUFFER_MB_MAX = 64 * 1024
// Parsed Query texts kept for reuse (LRU): drivers and dashboards repeat a few hundred distinct texts, and a hit
// skips libpg-query's WebAssembly call and JSON (tens of µs per small query).
export const PARSE_CACHE_ENTRIES_MAX_COUNT = 1024
// Longest Query text (UTF-16 code units) the parse cache keeps: repeated queries are short, while large INSERTs are
// one-off and would pin megabytes per entry.
export const PARSE_CACHE_TEXT_CHARS_MAX = 8 * 1024
// Query shapes (texts with their literals taken out) kept with the parse they share (sql/parse/parse-shapes.ts): TSBS
// and dashboards send a few dozen shapes with new literals each time; a hit skips libpg-query for a new text.
export const PARSE_SHAPES_ENTRIES_MAX_COUNT = 1024
// Plans kept per cached statement (one per session settings state, parameter types and describe/execute), so a
// statement sent again skips planning; at most PARSE_CACHE_ENTRIES_MAX_COUNT × this plans are held.
export const PLAN_CACHE_PLANS_PER_STATEMENT_MAX_COUNT = 8
// Overload choices kept per function or operator name (sql/bind/overload-cache.ts), by argument types: queries use a
// handful per name; past this, new argument type lists are resolved each time rather than kept (memory stays bounded).
export const OVERLOAD_CHOICES_PER_NAME_MAX_COUNT = 256
// Highest $n a statement may use: Parse and Bind carry parameter counts as Int16, and statements size arrays by it.
export const SQL_PARAMS_MAX_COUNT = 65_535
// Nesting of expressions in one statement (1+1+…, NOT NOT …, subqueries): far past hand-written or generated SQL,
// and well inside V8's default stack, which the recursive adapter would overflow at ~2,500 levels.
export const SQL_EXPR_DEPTH_MAX_COUNT = 1000
// Upper bound on a Query text's nesting (sql/parse/nesting-bound.ts) before libpg-query parses it: its WebAssembly
// overflows the stack at ~3,000 nested subqueries and is corrupt for every later parse, so deeper text is refused.
export const SQL_PARSE_NESTING_MAX_COUNT = 4000
// One COPY FROM's rows, in estimated column bytes (8 per number, 4 per tag id, text by length): the whole COPY is
// written as ONE WAL record so it stays atomic (ARCHITECTURE.md, "COPY"), so it must fit WAL_RECORD_BYTES_MAX with
// room for the payload's framing. ~1.5 M TSBS rows (21 columns), ~9 M rows of (time, tag, float). Past it: 54000.
export const COPY_BATCH_BYTES_MAX = 192 * 1024 * 1024
// Estimated bytes all sessions' COPY FROMs may buffer together before the next one is refused with 53200: the rows
// of an unfinished COPY live only in memory until CopyDone.
export const COPY_BUFFERED_BYTES_TOTAL_MAX = 1024 * 1024 * 1024
// Default of --transaction-buffer-mb: uncommitted rows (estimated as COPY_BATCH_BYTES_MAX counts them) one session's
// transaction holds in memory until COMMIT. As large as one COPY may be, so a COPY inside BEGIN works as in autocommit.
export const TRANSACTION_BUFFER_MB_DEFAULT = 192
// Hard bounds on --transaction-buffer-mb; the upper one is one WAL record's worth: COMMIT writes one table's rows as
// ONE record (WAL_RECORD_BYTES_MAX, with framing).
export const TRANSACTION_BUFFER_MB_MIN = 1
export const TRANSACTION_BUFFER_MB_MAX = 192
// Uncommitted rows all sessions' transactions may hold together (a few GiB of this machine's 24 GiB are free for it).
export const TRANSACTION_BUFFER_BYTES_TOTAL_MAX = 2 * 1024 * 1024 * 1024
// CopyData bytes parsed before a COPY FROM yields the event loop (setImmediate), so other sessions keep answering
// while a large COPY streams in (design invariant 5): about a millisecond of parsing.
export const COPY_PARSE_YIELD_BYTES = 256 * 1024
// COPY FROMs whose first CopyData has at least this many bytes are parsed in a COPY parse worker (copy-parse-pool.ts)
// rather than on the event loop: bulk loaders send large CopyData; a few rows stay inline (no thread round trip).
export const COPY_WORKER_FIRST_DATA_BYTES = 4096
// COPY parse worker threads at most (availableParallelism − 1 when fewer); each COPY stays on one of them.
export const COPY_PARSE_WORKERS_MAX_COUNT = 4
// How long a COPY parse worker holding no COPY lives on: then it exits (its isolate's heap pages and the dead buffers it
// had not collected yet are freed), and the next COPY starts another (~50 ms). As ILP_PARSE_WORKER_IDLE_EXIT_MS.
export const COPY_PARSE_WORKER_IDLE_EXIT_MS = 10_000
// Column arrays a COPY parse worker keeps from lean COPYs (their rows never left it) for the next COPYs' columns, bytes:
// four concurrent 50 k-row TSBS COPYs hold ~32 MiB; past this the rest is dropped. Freed with the worker at its idle exit.
export const COPY_COLUMN_ARRAYS_KEPT_BYTES_MAX = 64 * 2 ** 20
// CopyData chunks one COPY may have posted to its worker and not yet parsed; the next one waits (backpressure: the
// connection then stops reading past PG_RECEIVE_QUEUE_BYTES_MAX).
export const COPY_WORKER_CHUNKS_IN_FLIGHT_COUNT = 4
// Distinct runs of tag values (series) one COPY's fast path remembers by their bytes (copy-fast-span.ts); past it new
// series take the per-field way. ~100 bytes each: at most a few MiB per COPY.
export const COPY_FAST_SPANS_MAX_COUNT = 16384

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`limits: ${message}`)
}
check((RING_BYTES & (RING_BYTES - 1)) === 0, 'RING_BYTES must be a power of two')
check(RING_FRAME_BYTES_MAX <= RING_BYTES / 2, 'a frame must fit twice in its ring')
check((VSHARD_COUNT & (VSHARD_COUNT - 1)) === 0, 'VSHARD_COUNT must be a power of two')
check(PG_STARTUP_BYTES_MAX < PG_MESSAGE_BYTES_MAX, 'startup packet bound is below the message bound')
check(PG_SOCKETS_PER_CONNECTION_MAX_COUNT >= 1, 'every connection slot may have a socket')
check(MEMTABLE_MB_MIN <= MEMTABLE_MB_DEFAULT && MEMTABLE_MB_DEFAULT <= MEMTABLE_MB_MAX, 'memtable default in bounds')
check(WAL_SEGMENT_BYTES >= 1024 * 1024, 'a WAL segment holds at least 1 MiB')
check(DISPATCH_QUEUE_FRAMES_MAX_COUNT > 0, 'dispatch queue bound is positive')
check(SCAN_STREAM_BATCHES_AHEAD_COUNT >= 1 && SCAN_STEP_ROWS_EXAMINED_MAX_COUNT >= SCAN_BATCH_ROWS_COUNT, 'a stream can always make progress')
check(SEGMENT_ROW_GROUP_ROWS_COUNT <= CHUNK_VALUES_MAX_COUNT, 'a row group fits in one chunk')
check((ILP_NAME_CACHE_SLOT_COUNT & (ILP_NAME_CACHE_SLOT_COUNT - 1)) === 0, 'ILP name cache slots must be a power of two')
check(ILP_NAME_CACHE_KEY_BYTES_MAX < ILP_LINE_BYTES_MAX, 'a cached ILP name fits in a line')
check((ILP_SERIES_KEY_SLOT_COUNT & (ILP_SERIES_KEY_SLOT_COUNT - 1)) === 0, 'ILP series key slots must be a power of two')
check(ILP_LINE_BYTES_MAX < ILP_HTTP_BODY_BYTES_MAX, 'an ILP line fits in an HTTP body')
check(ILP_TCP_POOL_RUN_BYTES > ILP_LINE_BYTES_MAX, 'a TCP run holds at least one whole line')
check(ILP_TCP_BUFFERED_BYTES_MAX >= ILP_TCP_BUFFER_MB_MIN * 1024 * 1024 && ILP_TCP_BUFFERED_BYTES_MAX <= ILP_TCP_BUFFER_MB_MAX * 1024 * 1024,
  'the default ILP TCP budget is inside the flag\'s bounds')
check(ILP_HTTP_BODY_BYTES_MAX < WAL_RECORD_BYTES_MAX, 'an HTTP write body fits in one WAL record')
check(COPY_BATCH_BYTES_MAX * 1.25 <= WAL_RECORD_BYTES_MAX, 'a full COPY batch fits in one WAL record with framing to spare')
check(COPY_BATCH_BYTES_MAX <= COPY_BUFFERED_BYTES_TOTAL_MAX, 'one COPY fits in the total COPY budget')
check(TRANSACTION_BUFFER_MB_MAX * 2 ** 20 <= COPY_BATCH_BYTES_MAX, 'a full transaction buffer fits one WAL record as a full COPY does')
