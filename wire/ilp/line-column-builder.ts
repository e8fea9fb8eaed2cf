// wire/ilp/line-column-builder: grows one column of a LineBatch row by row (typed arrays doubled as needed), marking
// rows that skip the column as absent. Knows nothing of parsing, sockets or SQL.
import { assert, assertNever } from '../../src/common/assert.js'
import type { LineColumn, LineColumnKind } from './line-batch.js'

const CAPACITY_MIN = 16

function grownUint8(array: Uint8Array, capacity: number): Uint8Array {
  const grown = new Uint8Array(capacity)
  grown.set(array)
  return grown
}

/**
 * One column. Only the arrays of its kind are allocated. `stamp` belongs to LineBatchBuilder: the serial of the
 * last line that claimed the column, which is how it finds a key repeated within one line.
 */
export class LineColumnBuilder {
  stamp = -1
  /** Its position in the batch's columns (LineBatchBuilder's to set). */
  index = -1
  private filledRowCount: number
  private capacity: number
  private numbers = new Float64Array(0)
  private bytes: Uint8Array = new Uint8Array(0)
  private ids = new Int32Array(0)
  private signed = new BigInt64Array(0)
  private unsigned = new BigUint64Array(0)
  private nulls: Uint8Array = new Uint8Array(0)
  private readonly strings: Array<string | null> = []
  private readonly dict: string[] = []
  private readonly dictIds = new Map<string, number>()
  private lastTagValue: string | null = null
  private lastTagId = -1

  /** A column first used at `rowIndex`: every earlier row is absent. `capacityHint`: rows expected, allocated exactly. */
  constructor(readonly name: string, readonly kind: LineColumnKind, rowIndex: number, capacityHint = 0) {
    this.filledRowCount = 0
    this.capacity = 0
    this.ensureCapacity(rowIndex + 1, capacityHint > rowIndex ? capacityHint : undefined)
  }

  setTag(rowIndex: number, value: string): void {
    this.pad(rowIndex)
    this.ids[rowIndex] = this.tagIdOf(value)
  }

  /** A tag value's id from tagIdOf (of this column): the row's value without looking it up again. */
  setTagId(rowIndex: number, id: number): void {
    this.pad(rowIndex)
    this.ids[rowIndex] = id
  }

  /** The id of a tag value in this column's dictionary, added if new; ids never change for the builder's life. */
  tagIdOf(value: string): number {
    // Many tags repeat the previous row's value (region, os, …); interned strings make that an identity check.
    if (value === this.lastTagValue) return this.lastTagId
    let id = this.dictIds.get(value)
    if (id === undefined) {
      id = this.dict.length
      this.dict.push(value)
      this.dictIds.set(value, id)
    }
    this.lastTagValue = value
    this.lastTagId = id
    return id
  }

  /**
   * For LineBatchBuilder's dense rows, written straight into the arrays below while every column holds exactly the
   * batch's rows: the rows this column has room for, its arrays (valid until it grows, which only pad does), and
   * `filledTo`, which tells it the rows written that way.
   */
  get room(): number {
    return this.capacity
  }

  get tagIds(): Int32Array {
    return this.ids
  }

  get floats(): Float64Array {
    return this.numbers
  }

  filledTo(rowCount: number): void {
    this.filledRowCount = rowCount
  }

  /** float values, or boolean values as 0/1. */
  setNumber(rowIndex: number, value: number): void {
    this.pad(rowIndex)
    // A row's null flag is 0 already: the arrays start zeroed and only markAbsent, for rows never set, writes 1.
    if (this.kind === 'float') this.numbers[rowIndex] = value
    else this.bytes[rowIndex] = value
  }

  /** A float column's value (setNumber without the kind test, for rows whose kinds were checked before). */
  setFloat(rowIndex: number, value: number): void {
    this.pad(rowIndex)
    this.numbers[rowIndex] = value
  }

  setBigint(rowIndex: number, value: bigint): void {
    this.pad(rowIndex)
    if (this.kind === 'integer') this.signed[rowIndex] = value
    else this.unsigned[rowIndex] = value
  }

  setString(rowIndex: number, value: string): void {
    this.pad(rowIndex)
    this.strings[rowIndex] = value
  }

  /** Marks rows [filled, rowIndex) absent and makes room for rowIndex, which the caller then writes. */
  private pad(rowIndex: number): void {
    // The usual row: the next one, with room for it (one comparison each, on every value of every row).
    if (rowIndex === this.filledRowCount && rowIndex < this.capacity) {
      this.filledRowCount = rowIndex + 1
      return
    }
    assert(rowIndex >= this.filledRowCount, 'ilp column rows are written in order, once')
    if (rowIndex >= this.capacity) this.ensureCapacity(rowIndex + 1)
    this.markAbsent(this.filledRowCount, rowIndex)
    this.filledRowCount = rowIndex + 1
  }

  private markAbsent(from: number, to: number): void {
    if (from >= to) return
    if (this.kind === 'tag') this.ids.fill(-1, from, to)
    else if (this.kind === 'string') for (let row = from; row < to; row++) this.strings[row] = null
    else this.nulls.fill(1, from, to)
  }

  private ensureCapacity(rowCount: number, capacityExact?: number): void {
    if (rowCount <= this.capacity) return
    let capacity = capacityExact ?? Math.max(CAPACITY_MIN, this.capacity * 2)
    while (capacity < rowCount) capacity *= 2
    switch (this.kind) {
      case 'tag': {
        const ids = new Int32Array(capacity)
        ids.set(this.ids)
        this.ids = ids
        break
      }
      case 'float': {
        const numbers = new Float64Array(capacity)
        numbers.set(this.numbers)
        this.numbers = numbers
        break
      }
      case 'integer': {
        const signed = new BigInt64Array(capacity)
        signed.set(this.signed)
        this.signed = signed
        break
      }
      case 'unsigned': {
        const unsigned = new BigUint64Array(capacity)
        unsigned.set(this.unsigned)
        this.unsigned = unsigned
        break
      }
      case 'boolean': this.bytes = grownUint8(this.bytes, capacity); break
      case 'string': break
      default: assertNever(this.kind)
    }
    if (this.kind !== 'tag' && this.kind !== 'string') this.nulls = grownUint8(this.nulls, capacity)
    this.capacity = capacity
  }

  /**
   * The finished column with exactly `rowCount` rows: copies, so the builder's spare capacity is not retained, except
   * when the arrays are exactly full, which are handed over as they are (the builder is done after).
   */
  finish(rowCount: number): LineColumn {
    if (rowCount > this.filledRowCount) {
      this.ensureCapacity(rowCount)
      this.markAbsent(this.filledRowCount, rowCount)
      this.filledRowCount = rowCount
    }
    const name = this.name
    const exact = <T extends { slice(start: number, end: number): T; readonly length: number }>(array: T): T =>
      array.length === rowCount ? array : array.slice(0, rowCount)
    const nulls = exact(this.nulls)
    switch (this.kind) {
      case 'tag': return { kind: 'tag', name, ids: exact(this.ids), dict: this.dict }
      case 'float': return { kind: 'float', name, values: exact(this.numbers), nulls }
      case 'integer': return { kind: 'integer', name, values: exact(this.signed), nulls }
      case 'unsigned': return { kind: 'unsigned', name, values: exact(this.unsigned), nulls }
      case 'string': return { kind: 'string', name, values: this.strings.slice(0, rowCount) }
      case 'boolean': return { kind: 'boolean', name, values: exact(this.bytes), nulls }
      default: return assertNever(this.kind)
    }
  }
}
