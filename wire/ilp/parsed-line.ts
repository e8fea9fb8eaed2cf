// wire/ilp/parsed-line: the one reusable record a LineParser fills per line (QuestDB's reused entities): names as
// strings, values unboxed by kind. Knows nothing of batches, sockets or SQL; valid only until the next line.
import type { SeriesKey } from './series-key-cache.js'

export type FieldKind = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean'

/**
 * Parallel arrays indexed by tag or field number, below `tagCount` / `fieldCount`; entries past the counts are stale.
 * A field's value lives in the array of its kind: float and boolean (0/1) in `fieldNumbers`, integer and unsigned in
 * `fieldBigints`, string in `fieldStrings`. Columns are 1-based byte columns of each key, for errors found later.
 */
export class ParsedLine {
  measurement = ''
  /** The cached series the measurement and tags came from (same names, same values), or null on its first line. */
  series: SeriesKey | null = null
  tagCount = 0
  readonly tagKeys: string[] = []
  readonly tagValues: string[] = []
  readonly tagColumns: number[] = []
  fieldCount = 0
  readonly fieldKeys: string[] = []
  readonly fieldKinds: FieldKind[] = []
  readonly fieldNumbers: number[] = []
  readonly fieldBigints: bigint[] = []
  readonly fieldStrings: string[] = []
  readonly fieldColumns: number[] = []
  timestampUs = 0

  reset(): void {
    this.measurement = ''
    this.series = null
    this.tagCount = 0
    this.fieldCount = 0
    this.timestampUs = 0
  }

  addTag(key: string, value: string, column: number): void {
    const index = this.tagCount++
    this.tagKeys[index] = key
    this.tagValues[index] = value
    this.tagColumns[index] = column
  }

  /** Starts a field; the value parser then calls one of the set* methods with the returned index. */
  addField(key: string, column: number): number {
    const index = this.fieldCount++
    this.fieldKeys[index] = key
    this.fieldColumns[index] = column
    return index
  }

  setNumber(index: number, kind: 'float' | 'boolean', value: number): void {
    this.fieldKinds[index] = kind
    this.fieldNumbers[index] = value
  }

  setBigint(index: number, kind: 'integer' | 'unsigned', value: bigint): void {
    this.fieldKinds[index] = kind
    this.fieldBigints[index] = value
  }

  setString(index: number, value: string): void {
    this.fieldKinds[index] = 'string'
    this.fieldStrings[index] = value
  }
}
