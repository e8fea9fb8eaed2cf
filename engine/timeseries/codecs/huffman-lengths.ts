// engine/timeseries/codecs/huffman-lengths: Huffman code lengths from symbol frequencies, capped at a maximum length
// (frequencies are halved until the tree fits, so every code stays a full Huffman tree: its lengths satisfy Kraft's
// equality, which huffman-decode.ts relies on). Pure arithmetic; knows nothing of bits or formats.
import { assert } from '../../../src/common/assert.js'

/**
 * A code length per symbol (0 = unused) for `frequencies`, none above `lengthMax`. One used symbol gets length 1
 * (the format gives it an empty code); none used gives all zeros.
 */
export function huffmanLengths(frequencies: Uint32Array, lengthMax: number): Uint8Array {
  const lengths = new Uint8Array(frequencies.length)
  const symbols: number[] = []
  for (let s = 0; s < frequencies.length; s++) if (frequencies[s] !== 0) symbols.push(s)
  assert(symbols.length <= 2 ** lengthMax && symbols.length < LEAF_INDEX_SPAN, `${symbols.length} symbols fit codes of ${lengthMax} bits`)
  if (symbols.length === 0) return lengths
  if (symbols.length === 1) {
    lengths[symbols[0]!] = 1
    return lengths
  }
  const weights = symbols.map((s) => frequencies[s]!)
  for (;;) {
    const depths = treeDepths(weights)
    let deepest = 0
    for (const depth of depths) deepest = Math.max(deepest, depth)
    if (deepest <= lengthMax) {
      symbols.forEach((s, i) => { lengths[s] = depths[i]! })
      return lengths
    }
    // Flatter weights make a shallower tree; at all-equal weights the depth is ceil(log2 n) ≤ lengthMax.
    for (let i = 0; i < weights.length; i++) weights[i] = (weights[i]! + 1) >>> 1
  }
}

const LEAF_INDEX_SPAN = 2 ** 16

/** Depth of each leaf of a Huffman tree over `weights` (at least two), by the two-queue method. */
function treeDepths(weights: ReadonlyArray<number>): Uint16Array {
  const leafCount = weights.length
  // Sorted by (weight, index) as one number: weight · 2^16 + index stays below 2^53 (weights ≤ 2^32, < 2^16 leaves),
  // and a typed array sorts numbers without a comparator call per pair.
  const keys = new Float64Array(leafCount)
  for (let i = 0; i < leafCount; i++) keys[i] = weights[i]! * LEAF_INDEX_SPAN + i
  keys.sort()
  const order = Array.from(keys, (key) => key % LEAF_INDEX_SPAN)
  // Nodes 0..leafCount-1 are leaves (in `order`), then internal nodes in the order they are made.
  const nodeWeights = new Float64Array(2 * leafCount - 1)
  const parents = new Int32Array(2 * leafCount - 1)
  for (let i = 0; i < leafCount; i++) nodeWeights[i] = weights[order[i]!]!
  let nextLeaf = 0
  let nextInternal = leafCount
  const takeLightest = (made: number): number => {
    if (nextLeaf < leafCount && (nextInternal >= made || nodeWeights[nextLeaf]! <= nodeWeights[nextInternal]!)) return nextLeaf++
    return nextInternal++
  }
  for (let made = leafCount; made < 2 * leafCount - 1; made++) {
    const first = takeLightest(made)
    const second = takeLightest(made)
    nodeWeights[made] = nodeWeights[first]! + nodeWeights[second]!
    parents[first] = made
    parents[second] = made
  }
  const nodeDepths = new Uint16Array(2 * leafCount - 1)
  for (let node = 2 * leafCount - 3; node >= 0; node--) nodeDepths[node] = nodeDepths[parents[node]!]! + 1
  const depths = new Uint16Array(leafCount)
  for (let i = 0; i < leafCount; i++) depths[order[i]!] = nodeDepths[i]!
  return depths
}
