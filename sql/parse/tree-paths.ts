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
