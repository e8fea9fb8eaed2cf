// wire/pg/codecs/array: binary output (array_send) of the one-dimensional arrays nodedb has (sql carries them in
// PostgreSQL's text form; sql/api.ts arrayElementValues reads the elements back as values of the element type): int32
// ndim, int32 has-nulls, int32 element OID, then per dimension int32 length and int32 lower bound (1), then each
// element as int32 length (-1 = NULL) + its binary form from the element type's own codec. An empty array is ndim 0.
import type { SqlValue } from '../../../sql/api.js'

export function encodeArrayBinary(elements: ReadonlyArray<SqlValue>, elementOid: number, encodeElement: (value: Exclude<SqlValue, null>) => Uint8Array): Uint8Array {
  const header = Buffer.alloc(elements.length === 0 ? 12 : 20)
  header.writeInt32BE(elements.length === 0 ? 0 : 1, 0)
  header.writeInt32BE(elements.includes(null) ? 1 : 0, 4)
  header.writeUInt32BE(elementOid, 8)
  if (elements.length > 0) {
    header.writeInt32BE(elements.length, 12)
    header.writeInt32BE(1, 16)
  }
  const parts: Uint8Array[] = [header]
  for (const element of elements) {
    const length = Buffer.alloc(4)
    if (element === null) {
      length.writeInt32BE(-1)
      parts.push(length)
      continue
    }
    const bytes = encodeElement(element)
    length.writeInt32BE(bytes.length)
    parts.push(length, bytes)
  }
  return Buffer.concat(parts)
}
