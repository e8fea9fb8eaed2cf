// sql/functions/array-text: one-dimensional arrays as nodedb carries them — the PostgreSQL text form ('{a,"b c",NULL}')
// in a string SqlValue, so a catalog array prints exactly as PostgreSQL prints it and needs no new value kind. Only
// the catalog's arrays (text[], oid[], int2[], "char"[]) exist; parse and format follow array_in/array_out's quoting.
import { featureNotSupported, invalidTextRepresentation } from '../../src/common/errors.js'

/** '{a,"b c",NULL}' → ['a', 'b c', null]; malformed text is 22P02. */
export function parseArrayText(text: string): Array<string | null> {
  const trimmed = text.trim()
  if (trimmed.startsWith('[')) throw featureNotSupported('arrays with explicit bounds')
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) throw invalidTextRepresentation('array', text)
  const body = trimmed.slice(1, -1)
  const elements: Array<string | null> = []
  if (body.trim() === '') return elements
  let i = 0
  while (i <= body.length) {
    while (body[i] === ' ') i++
    let value = ''
    let quoted = false
    if (body[i] === '"') {
      quoted = true
      i++
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++
        value += body[i] ?? ''
        i++
      }
      i++
    } else {
      while (i < body.length && body[i] !== ',') { value += body[i]; i++ }
      value = value.trim()
      if (value.startsWith('{')) throw featureNotSupported('multidimensional arrays')
    }
    elements.push(!quoted && value.toUpperCase() === 'NULL' ? null : value)
    while (body[i] === ' ') i++
    if (i >= body.length) break
    if (body[i] !== ',') throw invalidTextRepresentation('array', text)
    i++
  }
  return elements
}

function quoteElement(value: string | null): string {
  if (value === null) return 'NULL'
  const needsQuotes = value === '' || /[{}," \\"\t\n]/.test(value) || value.toUpperCase() === 'NULL'
  return needsQuotes ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : value
}

export function formatArrayText(elements: ReadonlyArray<string | null>): string {
  return `{${elements.map(quoteElement).join(',')}}`
}
