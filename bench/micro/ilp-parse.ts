// bench/micro/ilp-parse: lines/s of wire/ilp's parser on TSBS-like cpu lines (10 tags, 10 float fields), parsed
// from one Buffer and in 64 KiB chunks. Run: npx tsc -p . && node dist/bench/micro/ilp-parse.js [lineCount]
import { IlpParser, parseLines } from '../../wire/ilp/ilp-parser.js'

const HOST_COUNT = 1000

function cpuLines(lineCount: number): Buffer {
  const lines: string[] = []
  let seed = 12345
  const random = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 32
  }
  const fields = ['usage_user', 'usage_system', 'usage_idle', 'usage_nice', 'usage_iowait', 'usage_irq',
    'usage_softirq', 'usage_steal', 'usage_guest', 'usage_guest_nice']
  for (let i = 0; i < lineCount; i++) {
    const host = i % HOST_COUNT
    const tags = `hostname=host_${host},region=eu-central-1,datacenter=eu-central-1a,rack=${host % 100},os=Ubuntu16.10,` +
      `arch=x86,team=SF,service=${host % 20},service_version=${host % 2},service_environment=production`
    const values = fields.map((f) => `${f}=${(random() * 100).toFixed(Math.floor(random() * 10))}`).join(',')
    lines.push(`cpu,${tags} ${values} ${1451606400000000000 + Math.floor(i / HOST_COUNT) * 10_000_000_000}\n`)
  }
  return Buffer.from(lines.join(''))
}

/** Best of 3 after a warm-up, by wall clock and by this process's CPU time (steadier on a shared machine). */
function measure(name: string, lineCount: number, run: () => number): void {
  run()
  let wallBest = 0
  let cpuBest = 0
  for (let r = 0; r < 3; r++) {
    const wallStart = process.hrtime.bigint()
    const cpuStart = process.cpuUsage()
    const rows = run()
    const cpu = process.cpuUsage(cpuStart)
    const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9
    if (rows !== lineCount) throw new Error(`${name}: ${rows} rows, expected ${lineCount}`)
    wallBest = Math.max(wallBest, lineCount / wallSeconds)
    cpuBest = Math.max(cpuBest, lineCount / ((cpu.user + cpu.system) / 1e6))
  }
  const format = (n: number): string => Math.round(n).toLocaleString('en')
  process.stdout.write(`${name}: ${format(wallBest)} lines/s wall, ${format(cpuBest)} lines/s per CPU-second (best of 3)\n`)
}

function main(): void {
  const lineCount = Number(process.argv[2] ?? 1_000_000)
  const input = cpuLines(lineCount)
  process.stdout.write(`${lineCount} lines, ${(input.length / 1e6).toFixed(1)} MB, ${(input.length / lineCount).toFixed(0)} B/line\n`)
  const options = { precision: 'ns' as const, nowUs: 0 }
  const rowsOf = (batches: ReadonlyArray<{ rowCount: number }>): number => batches.reduce((n, b) => n + b.rowCount, 0)
  measure('parseLines (one buffer)', lineCount, () => rowsOf(parseLines(input, options).batches))
  measure('IlpParser (64 KiB chunks)', lineCount, () => {
    const parser = new IlpParser(options)
    for (let pos = 0; pos < input.length; pos += 65536) parser.feed(input.subarray(pos, pos + 65536))
    return rowsOf(parser.end().batches)
  })
}

main()
