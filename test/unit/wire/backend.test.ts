// test/unit/wire/backend: BackendMessage → bytes. Method: our bytes are decoded by pg-protocol's Parser (the client
// side we did not write), fed whole and split at every offset; every field must come back as sent.
import { strict as assert } from 'node:assert'
import type { BackendMessage as ParsedMessage } from 'pg-protocol/dist/messages.js'
import { Parser } from 'pg-protocol/dist/parser.js'
import { DbError, undefinedTable } from '../../../src/common/errors.js'
import { writeBackend, type BackendMessage } from '../../../wire/pg/backend.js'
import { BufferWriter } from '../../../wire/pg/buffer-writer.js'
import { field } from './fake-sql.js'

type Parsed = ParsedMessage & Partial<Record<string, unknown>>

function encode(messages: ReadonlyArray<BackendMessage>): Buffer {
  const writer = new BufferWriter()
  for (const message of messages) writeBackend(writer, message)
  return writer.take()
}

function parse(chunks: ReadonlyArray<Buffer>): Parsed[] {
  const parser = new Parser()
  const out: Parsed[] = []
  // Copies: pg-protocol's Parser reuses a consumed chunk as its buffer and copies the next chunk into it, which would
  // overwrite the caller's bytes when the chunks are views of one buffer.
  for (const chunk of chunks) parser.parse(Buffer.from(chunk), (message) => out.push(message as Parsed))
  return out
}

const ERROR = new DbError({
  severity: 'ERROR', code: '42703', message: 'column "x" does not exist', detail: 'd', hint: 'h', position: 8,
  table: 'cpu', column: 'x', dataType: 'int4',
})

const MESSAGES: BackendMessage[] = [
  { kind: 'AuthenticationOk' },
  { kind: 'ParameterStatus', name: 'TimeZone', value: 'Etc/UTC' },
  { kind: 'BackendKeyData', pid: 7, secret: 0xfffffffe },
  { kind: 'ReadyForQuery', status: 'T' },
  { kind: 'RowDescription', fields: [field('a', 23), field('b', 25, -1)], formats: [0, 1] },
  { kind: 'DataRow', values: ['1', null, Uint8Array.of(0x68, 0x69)] },
  { kind: 'CommandComplete', tag: 'SELECT 1' },
  { kind: 'EmptyQueryResponse' },
  { kind: 'ErrorResponse', error: ERROR },
  { kind: 'NoticeResponse', notice: undefinedTable('t') },
  { kind: 'ParseComplete' }, { kind: 'BindComplete' }, { kind: 'CloseComplete' }, { kind: 'NoData' },
  { kind: 'ParameterDescription', typeOids: [1184, 25, 20] },
  { kind: 'PortalSuspended' },
]

describe('wire/pg/backend', () => {
  it('every message decodes with pg-protocol to what was sent', () => {
    const parsed = parse([encode(MESSAGES)])
    assert.deepEqual(parsed.map((m) => m.name), [
      'authenticationOk', 'parameterStatus', 'backendKeyData', 'readyForQuery', 'rowDescription', 'dataRow',
      'commandComplete', 'emptyQuery', 'error', 'notice', 'parseComplete', 'bindComplete', 'closeComplete', 'noData',
      'parameterDescription', 'portalSuspended',
    ])
    assert.deepEqual([parsed[1]?.['parameterName'], parsed[1]?.['parameterValue']], ['TimeZone', 'Etc/UTC'])
    assert.deepEqual([parsed[2]?.['processID'], parsed[2]?.['secretKey']], [7, -2])
    assert.equal(parsed[3]?.['status'], 'T')
    const fields = parsed[4]?.['fields'] as Array<Record<string, unknown>>
    assert.deepEqual(fields.map((f) => [f['name'], f['dataTypeID'], f['dataTypeSize'], f['dataTypeModifier'], f['format']]),
      [['a', 23, 4, -1, 'text'], ['b', 25, -1, -1, 'binary']])
    assert.deepEqual(parsed[5]?.['fields'], ['1', null, 'hi'])
    assert.equal(parsed[6]?.['text'], 'SELECT 1')
    const error = parsed[8] as Parsed
    assert.deepEqual(
      [error['severity'], error['code'], error['message'], error['detail'], error['hint'], error['position'], error['table'], error['column'], error['dataType']],
      ['ERROR', '42703', 'column "x" does not exist', 'd', 'h', '8', 'cpu', 'x', 'int4'])
    assert.deepEqual([parsed[9]?.['code'], parsed[9]?.['table']], ['42P01', 't'])
    assert.deepEqual(parsed[14]?.['dataTypeIDs'], [1184, 25, 20])
  })

  it('the V field (non-localized severity) is present', () => {
    const bytes = encode([{ kind: 'ErrorResponse', error: ERROR }])
    assert.ok(bytes.includes(Buffer.from('VERROR\0')))
  })

  it('output split at every offset decodes the same', () => {
    const bytes = encode(MESSAGES)
    const expected = JSON.stringify(parse([bytes]))
    for (let offset = 1; offset < bytes.length; offset++) {
      assert.equal(JSON.stringify(parse([bytes.subarray(0, offset), bytes.subarray(offset)])), expected, `split at ${offset}`)
    }
  })

  it('large immutable DataRows go out as views of their bytes, in order between copies of the rest', () => {
    const dataRows = (count: number): Uint8Array => encode(Array.from({ length: count }, (_, i) => ({ kind: 'DataRow', values: [String(i), 'x'.repeat(100)] })))
    const large = dataRows(300)
    const small = dataRows(3)
    const messages: BackendMessage[] = [
      MESSAGES[4]!, { kind: 'DataRows', bytes: large, rowCount: 300, isImmutable: true },
      { kind: 'DataRows', bytes: small, rowCount: 3, isImmutable: true }, MESSAGES[6]!,
      { kind: 'DataRows', bytes: large, rowCount: 300 }, MESSAGES[3]!,
    ]
    const writer = new BufferWriter()
    for (const message of messages) writeBackend(writer, message)
    const byteCount = writer.byteCount
    const chunks = writer.takeChunks()
    assert.equal(byteCount, chunks.reduce((sum, chunk) => sum + chunk.length, 0))
    const copied = messages.map((message) => message.kind === 'DataRows' ? { ...message, isImmutable: false } : message)
    assert.deepEqual(chunks.map((chunk) => chunk.length), [encode(messages.slice(0, 1)).length, large.length, encode(messages.slice(2)).length])
    assert.ok(chunks[1]!.buffer === large.buffer && chunks[1]!.byteOffset === large.byteOffset, 'the large run is not copied')
    assert.ok(chunks[2]!.buffer !== large.buffer, 'a run that is not immutable is copied')
    assert.equal(JSON.stringify(parse(chunks)), JSON.stringify(parse([encode(copied)])))
    assert.equal(writer.byteCount, 0)
  })

  it('copySince gives the bytes written since a mark, and null once some left the buffer or past its bound', () => {
    const writer = new BufferWriter()
    writeBackend(writer, MESSAGES[0]!)
    const mark = writer.mark()
    for (const message of MESSAGES.slice(4, 7)) writeBackend(writer, message)
    const expected = encode(MESSAGES.slice(4, 7))
    assert.deepEqual(writer.copySince(mark, expected.length), expected)
    assert.equal(writer.copySince(mark, expected.length - 1), null)
    const grown = writer.mark()
    writeBackend(writer, { kind: 'DataRow', values: ['x'.repeat(40_000)] }) // the buffer grows: the mark still holds
    assert.deepEqual(writer.copySince(grown, Infinity), encode([{ kind: 'DataRow', values: ['x'.repeat(40_000)] }]))
    const beforeTake = writer.mark()
    writeBackend(writer, MESSAGES[6]!)
    writer.takeChunks()
    writeBackend(writer, MESSAGES[6]!)
    assert.equal(writer.copySince(beforeTake, Infinity), null)
    const beforeAttach = writer.mark()
    writeBackend(writer, { kind: 'DataRows', bytes: Buffer.alloc(20_000), rowCount: 1, isImmutable: true })
    assert.equal(writer.copySince(beforeAttach, Infinity), null)
  })
})
