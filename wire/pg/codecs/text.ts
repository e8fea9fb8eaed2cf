// wire/pg/codecs/text: text-like types (name 19, text 25, bpchar 1042, varchar 1043) and any OID without its own
// codec; text and binary output are both the UTF-8 bytes of the string (textsend).
export function encodeTextText(value: string | number | bigint | boolean): string {
  return typeof value === 'string' ? value : String(value)
}

export function encodeTextBinary(value: string | number | bigint | boolean): Uint8Array {
  return Buffer.from(encodeTextText(value), 'utf8')
}
