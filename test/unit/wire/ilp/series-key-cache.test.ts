// Goal: a line whose series key (measurement + tags) was parsed before and comes from the parser's cache, or whose
// series and field keys the parser guessed from earlier lines, yields exactly what parsing it from nothing yields —
// names, values, escapes, and the byte columns errors report — and keys that share a cache set both stay cached.
// Method: each line parsed by a fresh LineParser (no cache, no guess) and again by one parser that has seen other
// lines before (hits and guesses, right and wrong), in random orders, comparing every field of the ParsedLine; error
// lines (duplicate tags, type conflicts found later) must report the same code and column either way.
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { LineParser } from '../../../../wire/ilp/line-parser.js'
import type { ParsedLine } from '../../../../wire/ilp/parsed-line.js'
import { parseLines } from '../../../../wire/ilp/ilp-parser.js'
import { SeriesKeyCache } from '../../../../wire/ilp/series-key-cache.js'

function snapshot(parser: LineParser, text: string): unknown {
  const buf = Buffer.from(text)
  // Bound as IlpParser binds its chunks, so a guessed series key is compared through the DataView.
  parser.bind(buf)
  const result = parser.parse(buf, 0, buf.length, 0)
  parser.release()
  if (result === 'LineSkipped') return { result } // the error fields then still hold an earlier line's
  if (result !== 'LineParsed') return { result, code: parser.errorCode, column: parser.errorColumn }
  const line: ParsedLine = parser.line
  line.fillTags()
  line.fillFields()
  const tags = Array.from({ length: line.tagCount }, (_, i) => [line.tagKeys[i], line.tagValues[i], line.tagColumns[i]])
  const valueOf = (i: number): unknown => {
    const kind = line.fieldKinds[i]
    return kind === 'integer' || kind === 'unsigned' ? line.fieldBigints[i] : kind === 'string' ? line.fieldStrings[i] : line.fieldNumbers[i]
  }
  const fields = Array.from({ length: line.fieldCount }, (_, i) => [line.fieldKeys[i], line.fieldKinds[i], valueOf(i), line.fieldColumns[i]])
  return { measurement: line.measurement, tags, fields, timestampUs: line.timestampUs }
}

const LINES = [
  'cpu,host=a,region=eu f=1 10', '  cpu,host=a,region=eu f=2 20', 'cpu,host=b,region=eu f=3 30',
  'my\\ cpu,host\\=x=a\\,b,t=\\ v f=1', 'cpu,host=a,host=a f=1', 'cpu,host=a,region=eu', 'cpu,host=a,region=eu ',
  'cpu,host=a,region=eu\\', 'cpu,host=,region=eu f=1', 'cpu,host=a f=1,host=2', 'cpu f=1', 'cpu,ü=ö,x=y f=1i 5',
  // Field keys that share bytes with the keys guessed at their position: longer, shorter, escaped, unfinished.
  'cpu,host=a f=1,g=2', 'cpu,host=a ff=1,g=2', 'cpu,host=a f\\=x=1,g=2', 'cpu,host=a f\\ =1', 'cpu,host=a f', 'cpu,host=a f=1,g',
  'cpu,host=a f=1,g=2,f=3', 'cpu,host=a f\\', 'cpu,host=a f=', 'cpu,host=a f\\\\=1', 'cpu,host=a g=1,f=2', 'mem,host=a f=1i,g=2',
  'cpu,host=a\\ b f=1', 'cpu,host=a\\  f=1', 'cpu,host=a  f=1', 'cpu,host=ab f=1', 'cpu,host=a,x=1 f=1', 'cpu f=1,g=2 7',
  // Lines of a shape the parser reads in one pass (line-shaped-fields.ts: its keys, plain floats), and near misses of
  // it: other spellings of a number, other kinds, fields fewer, more or out of order, and bad or spaced timestamps.
  'cpu,host=a f=1.5,g=-2.25 7', 'cpu,host=a f=0.5,g=12 8', 'cpu,host=a f=1e3,g=2', 'cpu,host=a f=1234567890123456,g=2',
  'cpu,host=a f=.5,g=-.5', 'cpu,host=a f=-,g=2', 'cpu,host=a f=1.5x,g=2', 'cpu,host=a f=1.,g=2.', 'cpu,host=a f=1,g=2,h=3',
  'cpu,host=a f=t,g=2', 'cpu,host=a f=1,g=2i', 'cpu,host=a f=1,g="2"', 'cpu,host=a f=1,g=', 'cpu,host=a f=1,g=2,',
  'cpu,host=a f=1,g=2 1 2', 'cpu,host=a f=1,g=2 -', 'cpu,host=a f=1,g=2 1x', 'cpu,host=a f=1,g=2 -5', 'cpu,host=a f=1,g=2 1x 2',
  // Series keys compared four bytes a load: lengths of every remainder mod 4, differing in a word or in the tail.
  'cpu,host=abcd f=1', 'cpu,host=abce f=1', 'cpu,host=bbcd f=1', 'cpu,host=abcde f=1', 'cpu,host=abcdf f=1', 'cpu,host=abcdef f=1',
  'cpu,host=abcdeg f=1', 'cpu,host=abcd,r=1 f=1', 'cpu,host=abcd,r=2 f=1', 'cpu,host=abcd,r=12 f=1', 'cpu,host=abcd,r=13 f=1',
  // Field keys of a shape compared four bytes a load, the same way.
  'cpu,host=a abcd=1,abcde=2 5', 'cpu,host=a abce=1,abcde=2', 'cpu,host=a bbcd=1,abcde=2', 'cpu,host=a abcd=1,abcdf=2',
  'cpu,host=a abcd=1,abcdefgh=2.5', 'cpu,host=a abcd=1,abcdefgi=2', 'cpu,host=a abcd=1,abcdefg=2', 'cpu,host=a abcd=1,abcdefghi=2',
]

/** Random lines over the bytes that delimit and escape, so guesses are tried against near-misses of every kind. */
const randomLine = fc.array(fc.constantFrom('cpu', 'f', 'g', 'host', 'a', '=', ',', ' ', '\\', '1', '2i', '"s"', 'é'), { maxLength: 12 })
  .map((parts) => parts.join(''))

describe('wire/ilp/series-key-cache', () => {
  it('a cached series key parses as the tag-by-tag parse does, columns and errors included', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...LINES), { minLength: 1, maxLength: 60 }), (order) => {
      const shared = new LineParser('n')
      for (const text of [...order, ...order]) assert.deepEqual(snapshot(shared, text), snapshot(new LineParser('n'), text), text)
    }), { numRuns: 200 })
  })

  it('guessed series and field keys parse as an unguessed line does, over random near-miss lines', () => {
    const lines = fc.array(fc.oneof(fc.constantFrom(...LINES), randomLine, randomLine.map((tail) => `cpu,host=a f=1${tail}`)), { minLength: 1, maxLength: 40 })
    fc.assert(fc.property(lines, (order) => {
      const shared = new LineParser('n')
      for (const text of [...order, ...order]) assert.deepEqual(snapshot(shared, text), snapshot(new LineParser('n'), text), text)
    }), { numRuns: 1000 })
  })

  it('every one-byte change to a line of the last series and field shape parses as an unguessed line does', () => {
    // The guesses (the series key, then the shape's keys and plain floats: line-shaped-fields.ts) are taken from a
    // line's third occurrence on: a shape needs one line parsed key by key from the layout. Each byte of a copy is
    // then replaced by each byte that delimits, escapes, ends a number or differs by one bit, the key lengths
    // covering every remainder mod 4 (the keys are compared four bytes a load).
    const bases = ['cpu,host=abcde,rack=1 abcd=1.5,abcdefgh=-2,abcdefghi=0.25,ab=7 1700000000000000000',
      'cpu,hostname=host_0,region=eu usage_user=62.17,usage_system=0,usage_guest_nice=98.58 5']
    const replacements = [' ', ',', '=', '\\', '.', '-', 'e', 'i', '"', '0', '9']
    for (const base of bases) {
      const shared = new LineParser('n')
      for (let at = 0; at < base.length; at++) {
        const flipped = String.fromCharCode(base.charCodeAt(at) ^ 1)
        for (const replacement of [...replacements, flipped]) {
          const text = base.slice(0, at) + replacement + base.slice(at + 1)
          for (let i = 0; i < 3; i++) snapshot(shared, base)
          assert.deepEqual(snapshot(shared, text), snapshot(new LineParser('n'), text), text)
        }
      }
    }
  })

  it('thousands of series interleaved line by line all parse from the cache after their first line', () => {
    const hosts = Array.from({ length: 1500 }, (_, i) => `cpu,hostname=host_${i},rack=${i % 100},os=linux`)
    const text = Array.from({ length: 6 }, (_, round) => hosts.map((key, i) => `${key} v=${round * 10_000 + i} ${round}`).join('\n')).join('\n')
    const result = parseLines(Buffer.from(text), { precision: 'ns', nowUs: 0 })
    assert.deepEqual(result.errors, [])
    assert.equal(result.batches.reduce((n, b) => n + b.rowCount, 0), 9000)
  })

  it('round-robin series miss only on their first line, up to the ~2,000 its sets are sized for', () => {
    // The parser's own cache, counted: round-robin order is the worst case for a set-associative cache (a set with
    // more keys than ways misses on every line), and it is how TSBS sends its hosts.
    let missCount = 0
    const find = SeriesKeyCache.prototype.find
    SeriesKeyCache.prototype.find = function (this: SeriesKeyCache, ...args: Parameters<typeof find>) {
      const before = this.missCount
      const found = find.apply(this, args)
      missCount += this.missCount - before
      return found
    }
    try {
      const hosts = Array.from({ length: 1500 }, (_, i) => `cpu,hostname=host_${i},region=eu-central-1,rack=${i % 100}`)
      const text = Array.from({ length: 4 }, (_, round) => hosts.map((key) => `${key} v=${round}`).join('\n')).join('\n')
      const result = parseLines(Buffer.from(text), { precision: 'ns', nowUs: 0 })
      assert.equal(result.batches[0]!.rowCount, 6000)
      assert.equal(missCount, 1500)
    } finally {
      SeriesKeyCache.prototype.find = find
    }
  })
})
