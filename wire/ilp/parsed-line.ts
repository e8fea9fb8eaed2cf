// wire/ilp/parsed-line: the one reusable record a LineParser fills per line (QuestDB's reused entities): names as
// strings, values unboxed by kind. Knows nothing of batches, sockets or SQL; valid only until the next line.
import type { SeriesKey } from './series-key-cache.js'

export type FieldKind = 'float' | 'integer' | 'unsigned' | 'string' | 'boolean'

/** Field keys by position (the parser's FieldKeyLayout). */
export interface FieldNames { nameAt(index: number): string }

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
  /**
   * Set when every field key came from the parser's layout of this measurement (`fieldShape` at `fieldShapeVersion`)
   * and every value is a float: then two lines with equal shapes name the same fields in the same order, and the
   * batch builder reuses the previous line's columns for them without resolving a name. Null otherwise.
   */
  fieldShape: object | null = null
  fieldShapeVersion = 0
  /** Names the keys of fields read by shape whose keys and kinds are not written yet (see useFieldShape). */
  private pendingFieldNames: FieldNames | null = null
  /** A cached series whose tags are not copied into the tag arrays yet (see useSeries). */
  private pendingSeries: SeriesKey | null = null
  private pendingColumn = 0

  reset(): void {
    this.measurement = ''
    this.series = null
    this.pendingSeries = null
    this.pendingFieldNames = null
    this.fieldShape = null
    this.tagCount = 0
    this.fieldCount = 0
    this.timestampUs = 0
  }

  /**
   * The measurement and tags of a cached series whose key starts at byte column `keyColumn`. The tags are copied into
   * the tag arrays only when a reader asks (fillTags): the batch builder's common path reads them from the series.
   */
  useSeries(series: SeriesKey, keyColumn: number): void {
    this.measurement = series.measurement
    this.series = series
    this.pendingSeries = series
    this.pendingColumn = keyColumn
  }

  /** Makes tagCount and the tag arrays hold this line's tags; call before reading them. */
  fillTags(): void {
    const series = this.pendingSeries
    if (series === null) return
    this.pendingSeries = null
    for (let i = 0; i < series.tagKeys.length; i++) this.addTag(series.tagKeys[i]!, series.tagValues[i]!, this.pendingColumn + series.tagOffsets[i]!)
  }

  /**
   * Fields 0..count-1 hold floats (fieldNumbers and fieldColumns written) whose keys are `names`' at the same
   * positions: their keys and kinds are written only when a reader asks (fillFields), as the batch builder's common
   * path reads neither (two stores of a reference per field, each with its write barrier, skipped).
   */
  useFieldShape(names: FieldNames, count: number): void {
    this.fieldCount = count
    this.pendingFieldNames = names
  }

  /** Makes fieldKeys and fieldKinds hold this line's; call before reading them. */
  fillFields(): void {
    const names = this.pendingFieldNames
    if (names === null) return
    this.pendingFieldNames = null
    for (let i = 0; i < this.fieldCount; i++) {
      this.fieldKeys[i] = names.nameAt(i)
      this.fieldKinds[i] = 'float'
    }
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
