// wire/pg/codecs/array: binary output (array_send) of the one-dimensional arrays nodedb has (text[], name[], oid[],
// int2[], "char"[]; sql carries them in PostgreSQL's text form): int32 ndim, int32 has-nulls, int32 element OID, then
// per dimension int32 length and int32 lower bound (1), then each element as int32 length (-1 = NULL) + its
// binary form. An empty array is ndim 0 with no dimensions.
import { parseArrayText } from '../../../sql/api.js'

/** Array OID → element OID, for the array types sql produces. */
export const ARRAY_ELEMENT_OIDS: ReadonlyMap<number, number> = new Map([[1009, 25], [1003, 19], [1028, 26], [1005, 21], [1002, 18]])

function encodeElement(text: string, elementOid: number): Buffer {
  switch (elementOid) {
    case 26: {
      const out = Buffer.alloc(4)
      out.writeUInt32BE(Number(text))
      return out
    }
    case 21: {
      const out = Buffer.alloc(2)
      out.writeInt16BE(Number(text))
      return out
    }
    case 18: return Buffer.from(text, 'latin1').subarray(0, 1)
    default: return Buffer.from(text, 'utf8')
  }
}

export function encodeArrayBinary(text: string, elementOid: number): Uint8Array {
  const elements = parseArrayText(text)
  const header = Buffer.alloc(elements.length === 0 ? 12 : 20)
  header.writeInt32BE(elements.length === 0 ? 0 : 1, 0)
  header.writeInt32BE(elements.includes(null) ? 1 : 0, 4)
  header.writeUInt32BE(elementOid, 8)
  if (elements.length > 0) {
    header.writeInt32BE(elements.length, 12)
    header.writeInt32BE(1, 16)
  }
  const parts: Buffer[] = [header]
  for (const element of elements) {
    const length = Buffer.alloc(4)
    if (element === null) {
      length.writeInt32BE(-1)
      parts.push(length)
      continue
    }
    const bytes = encodeElement(element, elementOid)
    length.writeInt32BE(bytes.length)
    parts.push(length, bytes)
  }
  return Buffer.concat(parts)
}
