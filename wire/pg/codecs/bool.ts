// wire/pg/codecs/bool: bool (OID 16) output, as PostgreSQL's boolout ('t'/'f') and boolsend (one byte).
export function encodeBoolText(value: boolean): string {
  return value ? 't' : 'f'
}

export function encodeBoolBinary(value: boolean): Uint8Array {
  return Uint8Array.of(value ? 1 : 0)
}
