// bench/micro/rss-breakdown: where a process's resident memory sits, from /proc/PID/smaps, by kind of mapping: glibc's
// main arena ([heap]), glibc's thread arenas (anonymous mappings starting on a 64 MiB boundary with their PROT_NONE
// reserve behind them), V8 heap pages (anonymous 256/512 KiB mappings), large anonymous mappings (rings' shared
// buffers, buffers above malloc's mmap threshold), mapped files (the node binary, libraries) and the rest.
// Used by ilp-ingest-cost.ts (--smaps); Linux only. Names are heuristics: they say where to look, not what it is.
import fs from 'node:fs'

interface Mapping {
  readonly start: bigint
  readonly end: bigint
  readonly perms: string
  readonly name: string
  rssKiB: number
}

const ARENA_ALIGNMENT = 64n << 20n

async function mappingsOf(pid: number): Promise<Mapping[]> {
  const mappings: Mapping[] = []
  for (const line of (await fs.promises.readFile(`/proc/${pid}/smaps`, 'utf8')).split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line)
    if (header !== null) {
      mappings.push({ start: BigInt(`0x${header[1]!}`), end: BigInt(`0x${header[2]!}`), perms: header[3]!, name: header[4]!, rssKiB: 0 })
      continue
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line)
    const last = mappings[mappings.length - 1]
    if (rss !== null && last !== undefined) last.rssKiB = Number(rss[1])
  }
  return mappings
}

function kindOf(mappings: ReadonlyArray<Mapping>, i: number): string {
  const mapping = mappings[i]!
  const sizeKiB = Number(mapping.end - mapping.start) / 1024
  const next = mappings[i + 1]
  if (mapping.name === '[heap]') return 'glibc main arena'
  if (mapping.name.startsWith('/')) return mapping.name.endsWith('/node') ? 'node binary' : 'other files'
  if (mapping.name !== '') return mapping.name
  if (mapping.start % ARENA_ALIGNMENT === 0n && (sizeKiB === 65536 || (next?.start === mapping.end && next.perms.startsWith('---')))) return 'glibc thread arenas'
  if (sizeKiB >= 1024) return 'anonymous >= 1 MiB (rings, large buffers)'
  if (sizeKiB === 256 || sizeKiB === 512) return 'V8 heap pages'
  return 'anonymous < 1 MiB'
}

/** Resident MiB by kind of mapping, largest first, one line. */
export async function rssBreakdown(pid: number): Promise<string> {
  const mappings = await mappingsOf(pid)
  const byKind = new Map<string, number>()
  for (let i = 0; i < mappings.length; i++) {
    const kind = kindOf(mappings, i)
    byKind.set(kind, (byKind.get(kind) ?? 0) + mappings[i]!.rssKiB)
  }
  return [...byKind].filter(([, kib]) => kib >= 512).sort((a, b) => b[1] - a[1])
    .map(([kind, kib]) => `${kind} ${(kib / 1024).toFixed(1)}`).join(', ')
}
