// engine/timeseries/codecs/codec-limits: bounds the codecs enforce on stored bytes. They belong in
// src/common/limits.ts (owned by the lead; to be moved there). Knows nothing of formats.

// Values in one column chunk. Segments cut chunks far smaller (a few hundred thousand rows); a stored count above
// this is corrupt, and bounding it keeps a flipped bit from making a decoder allocate gigabytes.
export const CHUNK_VALUES_MAX_COUNT = 1 << 24
// Entries in one chunk's symbol dictionary (ids are int32; a chunk cannot reference more symbols than values).
export const CHUNK_DICTIONARY_MAX_COUNT = CHUNK_VALUES_MAX_COUNT
