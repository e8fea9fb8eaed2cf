// engine/timeseries/codecs/huffman-cost: the bits huffman-ints.ts would spend at each literal width, without building a
// code per width. The used literals are sorted by (frequency, symbol) once; each width then merges the ones below 2^m
// with its escape classes and runs the two-queue Huffman merge over them, keeping only the sum of merged weights
// (Σ frequency · code length) and the tree's height. Same order and tie-break as huffman-lengths.ts's treeDepths, so
// the sizes are exactly those of a built code; a width whose tree is deeper than the cap answers null (the caller then
// builds the capped code). Pure arithmetic.

// Frequency · 2^16 + symbol as one sortable number: frequencies < 2^32 and symbols < 2^16 keep it below 2^53.
const SYMBOL_SPAN = 2 ** 16

/** Per-width sizes over one histogram (literal counts, counts per bit length); reuses its scratch arrays. */
export class HuffmanCosts {
  // The used literals sorted by (frequency, symbol): as keys (for merging), and split (for reading).
  private readonly literalKeys: Float64Array
  private readonly literalWeights: Float64Array
  private readonly literalSymbols: Uint16Array
  private readonly bitLengthCounts: Uint32Array
  private readonly valueBitsMax: number
  private readonly codeBitsMax: number
  private readonly escapeKeys: Float64Array
  private readonly leafWeights: Float64Array
  private readonly nodeWeights: Float64Array
  private readonly heights: Uint16Array

  /** `literalEnd`: no literal at or above it is counted (2^(widest value's bit length) serves). */
  constructor(literalCounts: Uint32Array, literalEnd: number, bitLengthCounts: Uint32Array, valueBitsMax: number, codeBitsMax: number) {
    const end = Math.min(literalEnd, literalCounts.length)
    let used = 0
    for (let s = 0; s < end; s++) if (literalCounts[s] !== 0) used++
    this.literalKeys = new Float64Array(used)
    used = 0
    for (let s = 0; s < end; s++) {
      if (literalCounts[s] !== 0) this.literalKeys[used++] = literalCounts[s]! * SYMBOL_SPAN + s
    }
    this.literalKeys.sort()
    this.literalWeights = new Float64Array(used)
    this.literalSymbols = new Uint16Array(used)
    for (let i = 0; i < used; i++) {
      const weight = Math.floor(this.literalKeys[i]! / SYMBOL_SPAN)
      this.literalWeights[i] = weight
      this.literalSymbols[i] = this.literalKeys[i]! - weight * SYMBOL_SPAN
    }
    this.bitLengthCounts = bitLengthCounts
    this.valueBitsMax = valueBitsMax
    this.codeBitsMax = codeBitsMax
    this.escapeKeys = new Float64Array(valueBitsMax + 1)
    const leafMax = used + valueBitsMax + 1
    this.leafWeights = new Float64Array(leafMax)
    this.nodeWeights = new Float64Array(2 * leafMax)
    this.heights = new Uint16Array(2 * leafMax)
  }

  /**
   * The bits of huffman-ints.ts's stream at `literalBits` (header, 4-bit length table, codes, escapes' raw bits), or
   * null when its Huffman tree is deeper than the code length cap (then only the capped code tells the size).
   */
  bitsFor(literalBits: number): number | null {
    const literals = 2 ** literalBits
    let escapeCount = 0
    let rawBits = 0
    let lastSymbol = -1
    for (let length = literalBits + 1; length <= this.valueBitsMax; length++) {
      const count = this.bitLengthCounts[length]!
      if (count === 0) continue
      const symbol = literals + length - literalBits - 1
      this.escapeKeys[escapeCount++] = count * SYMBOL_SPAN + symbol
      rawBits += count * (length - 1)
      lastSymbol = symbol
    }
    const escapes = this.escapeKeys.subarray(0, escapeCount).sort()
    const leafCount = this.mergeLeaves(literals, escapes)
    if (lastSymbol < 0) lastSymbol = this.lastLiteralBelow(literals)
    const header = 8 + 8 * 2 + 4 * (lastSymbol + 1)
    if (leafCount <= 1) return header + rawBits
    const codeBits = this.mergedWeights(leafCount)
    return codeBits === null ? null : header + codeBits + rawBits
  }

  /** Leaf weights in (frequency, symbol) order: the literals below `literals`, merged with the sorted escapes. */
  private mergeLeaves(literals: number, escapes: Float64Array): number {
    let count = 0
    let e = 0
    for (let i = 0; i < this.literalKeys.length; i++) {
      if (this.literalSymbols[i]! >= literals) continue
      const key = this.literalKeys[i]!
      while (e < escapes.length && escapes[e]! < key) this.leafWeights[count++] = Math.floor(escapes[e++]! / SYMBOL_SPAN)
      this.leafWeights[count++] = this.literalWeights[i]!
    }
    while (e < escapes.length) this.leafWeights[count++] = Math.floor(escapes[e++]! / SYMBOL_SPAN)
    return count
  }

  private lastLiteralBelow(literals: number): number {
    let last = -1
    for (let i = 0; i < this.literalSymbols.length; i++) {
      const symbol = this.literalSymbols[i]!
      if (symbol < literals && symbol > last) last = symbol
    }
    return last
  }

  /** Σ of the internal nodes' weights (= Σ frequency · depth), or null when the tree is deeper than the cap. */
  private mergedWeights(leafCount: number): number | null {
    const weights = this.nodeWeights
    const heights = this.heights
    weights.set(this.leafWeights.subarray(0, leafCount))
    heights.fill(0, 0, leafCount)
    let nextLeaf = 0
    let nextInternal = leafCount
    let sum = 0
    for (let made = leafCount; made < 2 * leafCount - 1; made++) {
      const first = nextLeaf < leafCount && (nextInternal >= made || weights[nextLeaf]! <= weights[nextInternal]!) ? nextLeaf++ : nextInternal++
      const second = nextLeaf < leafCount && (nextInternal >= made || weights[nextLeaf]! <= weights[nextInternal]!) ? nextLeaf++ : nextInternal++
      weights[made] = weights[first]! + weights[second]!
      heights[made] = Math.max(heights[first]!, heights[second]!) + 1
      sum += weights[made]!
    }
    return heights[2 * leafCount - 2]! > this.codeBitsMax ? null : sum
  }
}
