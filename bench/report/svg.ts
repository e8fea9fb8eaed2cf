// bench/report/svg: the chart of BENCHMARKS.md — nodedb's ratio to the best peer per scenario as horizontal bars on
// a log2 axis centred on 1× (right and green: nodedb better; left and red: behind), written by the bench itself
// as plain SVG text (no browser, no library: a handful of rects and texts).
import { formatRatio, type Comparison } from './table.js'

const ROW_PX = 18
const LABEL_PX = 300
const PLOT_PX = 480
const NOTE_PX = 220
const TOP_PX = 40
/** The axis spans 1/2^LIMIT to 2^LIMIT; bars beyond are clipped at the edge (their label gives the figure). */
const LOG2_LIMIT = 5

const escapeXml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function xOf(r: number): number {
  const clamped = Math.max(-LOG2_LIMIT, Math.min(LOG2_LIMIT, Math.log2(r)))
  return LABEL_PX + PLOT_PX / 2 + (clamped / LOG2_LIMIT) * (PLOT_PX / 2)
}

function axis(height: number): string[] {
  const parts: string[] = []
  for (let k = -LOG2_LIMIT; k <= LOG2_LIMIT; k++) {
    const x = xOf(2 ** k)
    parts.push(`<line x1="${x}" y1="${TOP_PX - 6}" x2="${x}" y2="${height - 10}" stroke="${k === 0 ? '#333' : '#ddd'}"/>`)
    const label = k >= 0 ? `${2 ** k}×` : `1/${2 ** -k}`
    parts.push(`<text x="${x}" y="${TOP_PX - 10}" text-anchor="middle" font-size="10">${label}</text>`)
  }
  return parts
}

/** The SVG document for the rows that have a best peer (invalid rows and nodedb-only rows are left out). */
export function ratioChart(rows: ReadonlyArray<Comparison>, title: string): string {
  const shown = rows.filter((row) => row.invalid === null && row.best !== null)
  const height = TOP_PX + shown.length * ROW_PX + 20
  const width = LABEL_PX + PLOT_PX + NOTE_PX
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="10" y="16" font-size="13" font-weight="bold">${escapeXml(title)}</text>`,
    ...axis(height),
  ]
  shown.forEach((row, i) => {
    const best = row.best!
    const y = TOP_PX + i * ROW_PX
    const [x0, x1] = [xOf(1), xOf(best.ratio)]
    const color = best.ratio >= 1 ? '#2e7d32' : '#c62828'
    parts.push(`<text x="${LABEL_PX - 6}" y="${y + 12}" text-anchor="end" font-size="11">${escapeXml(row.scenario)}</text>`)
    parts.push(`<rect x="${Math.min(x0, x1)}" y="${y + 3}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${ROW_PX - 6}" fill="${color}"/>`)
    parts.push(`<text x="${LABEL_PX + PLOT_PX + 6}" y="${y + 12}" font-size="11">${escapeXml(`${formatRatio(best.ratio)} vs ${best.system}`)}</text>`)
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
