// sql/parse/tree-paths: paths into plain-data trees (parses, plans): the nodes a test picks, with the path to each,
// and the value at a path. Literal templates find their slots with them, shape plans their literals' Consts.

export type TreePath = ReadonlyArray<string | number>

/** Every object under `root` that `isMatch` picks (not looked inside), with the path to it, in depth-first order. */
export function nodesWhere<T extends object>(root: unknown, isMatch: (node: object) => node is T): Array<{ readonly path: TreePath; readonly node: T }> {
  const found: Array<{ readonly path: TreePath; readonly node: T }> = []
  const visit = (value: unknown, path: Array<string | number>): void => {
    if (typeof value !== 'object' || value === null) return
    if (isMatch(value)) {
      found.push({ path: [...path], node: value })
      return
    }
    for (const [key, inner] of Object.entries(value)) {
      path.push(Array.isArray(value) ? Number(key) : key)
      visit(inner, path)
      path.pop()
    }
  }
  visit(root, [])
  return found
}

export function valueAt(root: unknown, path: TreePath): unknown {
  let value = root
  for (const key of path) value = (value as Record<string | number, unknown>)[key]
  return value
}

/** Per step along some paths: the deeper steps, or where a path ends the index of that path. */
export type PathTrie = Map<string | number, PathTrie | number>

/** The trie of `paths` (a null path is left out; no path may be a prefix of another). */
export function pathTrie(paths: ReadonlyArray<TreePath | null>): PathTrie {
  const root: PathTrie = new Map()
  paths.forEach((path, index) => {
    if (path === null) return
    let trie = root
    path.forEach((step, depth) => {
      if (depth === path.length - 1) { trie.set(step, index); return }
      const inner = trie.get(step)
      const next = inner instanceof Map ? inner : new Map<string | number, PathTrie | number>()
      trie.set(step, next)
      trie = next
    })
  })
  return root
}

/**
 * A copy of `node` along the trie's paths, the node at the end of path i replaced by `leaf(node, i)`; everything off
 * the paths is shared with `node`. Each object on a path is copied once, however many paths go through it.
 */
export function copiedAlong(node: unknown, trie: PathTrie | number, leaf: (node: unknown, index: number) => unknown): unknown {
  if (typeof trie === 'number') return leaf(node, trie)
  const copy = (Array.isArray(node) ? [...node] : { ...(node as object) }) as Record<string | number, unknown>
  for (const [step, inner] of trie) copy[step] = copiedAlong(copy[step], inner, leaf)
  return copy
}
