// Goal: the house rules of ../shared/style.md §6.12 hold on every run, as TigerBeetle's tidy.zig does for its tree.
// Method: read every .ts source with the TypeScript compiler API (no other dependency) and check imports, `any`,
// banned APIs, sizes and test hygiene. Allowlists may only shrink.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(__dirname, '..', '..')
const LAYERS = ['src', 'wire', 'sql', 'engine', 'test', 'bench']
const FILE_LINES_MAX = 400
const FUNCTION_LINES_MAX = 70
// Functions allowed past FUNCTION_LINES_MAX, as 'path:name'. May only shrink.
const LONG_FUNCTION_ALLOWLIST = new Set<string>([])
// Files allowed past FILE_LINES_MAX. May only shrink.
const LONG_FILE_ALLOWLIST = new Set<string>([])

function listSources(): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path.relative(ROOT, full))
    }
  }
  for (const layer of LAYERS) if (fs.existsSync(path.join(ROOT, layer))) walk(path.join(ROOT, layer))
  return files.sort()
}

const sources = listSources().map((file) => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8')
  return { file, text, ast: ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true) }
})

function importsOf(ast: ts.SourceFile): string[] {
  const specifiers: string[] = []
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text)
    ts.forEachChild(node, visit)
  }
  visit(ast)
  return specifiers
}

/** Whether code in `from` may import the repo file `target` (style.md §6.2). */
function mayImport(from: string, target: string): boolean {
  if (from.startsWith('test/') || from.startsWith('bench/')) return true
  if (['src/main.ts', 'src/server.ts', 'src/config.ts'].includes(from)) return true
  if (target.startsWith('src/common/')) return true
  if (from.startsWith('src/common/')) return false
  if (from.startsWith('engine/')) return target.startsWith('engine/')
  if (from.startsWith('sql/')) return target.startsWith('sql/') || ['engine/api.ts', 'engine/ops.ts', 'engine/batch.ts'].includes(target)
  if (from.startsWith('wire/')) return target.startsWith('wire/') || target === 'sql/api.ts' || target === 'sql/worker-api.ts'
  return false
}

function eachNode(ast: ts.SourceFile, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node): void => {
    visit(node)
    ts.forEachChild(node, walk)
  }
  walk(ast)
}

function lineOf(ast: ts.SourceFile, position: number): number {
  return ast.getLineAndCharacterOfPosition(position).line + 1
}

describe('tidy: house rules (style.md §6.12)', function () {
  it('finds the sources', function () {
    assert.ok(sources.some((s) => s.file === 'src/main.ts'))
  })

  it('imports flow one way: wire → sql → engine, all may use src/common', function () {
    const bad: string[] = []
    for (const { file, ast } of sources) {
      for (const specifier of importsOf(ast)) {
        if (!specifier.startsWith('.')) continue
        const target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), specifier)).replace(/\.js$/, '.ts')
        if (!mayImport(file, target)) bad.push(`${file} imports ${target}`)
        if (!specifier.endsWith('.js')) bad.push(`${file}: relative import "${specifier}" must end in .js`)
      }
    }
    assert.deepEqual(bad, [])
  })

  it('has no `any` outside sql/parse/adapter.ts and test/', function () {
    const bad: string[] = []
    for (const { file, ast } of sources) {
      if (file === 'sql/parse/adapter.ts' || file.startsWith('test/')) continue
      eachNode(ast, (node) => {
        if (node.kind === ts.SyntaxKind.AnyKeyword) bad.push(`${file}:${lineOf(ast, node.getStart())}`)
      })
    }
    assert.deepEqual(bad, [])
  })

  it('keeps banned APIs and literals where they belong', function () {
    const rules: Array<{ pattern: RegExp; allowed: (file: string) => boolean; what: string }> = [
      { pattern: /'XX000'/, allowed: (f) => f === 'src/common/sqlstate.ts' || f === 'wire/pg/session.ts', what: "'XX000'" },
      { pattern: /\bconsole\./, allowed: (f) => f === 'src/common/log.ts' || f === 'src/main.ts', what: 'console.' },
      { pattern: /Atomics\.wait\(/, allowed: (f) => f.startsWith('engine/core/'), what: 'Atomics.wait(' },
      { pattern: /\b(readFileSync|writeFileSync|fsyncSync)\b/, allowed: (f) => f.startsWith('engine/io/') || f === 'src/config.ts'
        // A TZif file of a few KiB, once per zone per process (DateStyle's zone abbreviations).
        || f === 'src/common/zone-abbreviation.ts'
        // A core names its own thread (/proc/thread-self/comm) once at startup, on its worker, off the event loop.
        || f === 'src/common/thread-priority.ts', what: 'sync fs' },
      { pattern: /\bFIXME\b/, allowed: () => false, what: 'FIXME' },
      { pattern: /\bexport default\b/, allowed: () => false, what: 'default export' },
    ]
    const bad: string[] = []
    for (const { file, text } of sources) {
      if (file === 'test/tidy.test.ts') continue
      for (const rule of rules) {
        if (file.startsWith('test/') && rule.what !== 'FIXME' && rule.what !== 'default export') continue
        if (rule.pattern.test(text) && !rule.allowed(file)) bad.push(`${file}: ${rule.what}`)
      }
    }
    assert.deepEqual(bad, [])
  })

  it('keeps files ≤ 400 lines and functions ≤ 70 lines (ratcheting allowlists)', function () {
    const bad: string[] = []
    for (const { file, text, ast } of sources) {
      const lines = text.split('\n').length
      if (lines > FILE_LINES_MAX && !LONG_FILE_ALLOWLIST.has(file) && !file.startsWith('test/')) bad.push(`${file}: ${lines} lines`)
      eachNode(ast, (node) => {
        if (!ts.isFunctionLike(node) || !('body' in node) || node.body === undefined) return
        const length = lineOf(ast, node.getEnd()) - lineOf(ast, node.getStart()) + 1
        const name = node.name !== undefined && ts.isIdentifier(node.name) ? node.name.text : '<anonymous>'
        const isTestBody = file.startsWith('test/') && name === '<anonymous>'
        if (length > FUNCTION_LINES_MAX && !isTestBody && !LONG_FUNCTION_ALLOWLIST.has(`${file}:${name}`)) {
          bad.push(`${file}:${name} is ${length} lines`)
        }
      })
    }
    assert.deepEqual(bad, [])
  })

  it('has no .only and no .skip without a reason', function () {
    const bad: string[] = []
    for (const { file, text } of sources) {
      if (!file.startsWith('test/') || file === 'test/tidy.test.ts') continue
      if (/\b(it|describe|context)\.only\(/.test(text)) bad.push(`${file}: .only`)
      for (const match of text.matchAll(/\b(?:it|describe|context)\.skip\(([^)]*)\)/g)) {
        if (!/reason|because|TODO\(#\d+\)/i.test(match[1] ?? '')) bad.push(`${file}: .skip without a reason`)
      }
    }
    assert.deepEqual(bad, [])
  })

  it('gives every limits.ts constant a unit and a reason', function () {
    const limits = sources.find((s) => s.file === 'src/common/limits.ts')
    assert.ok(limits)
    const lines = limits.text.split('\n')
    const bad: string[] = []
    lines.forEach((line, index) => {
      const match = /^export const ([A-Z_]+) =/.exec(line)
      if (match === null) return
      const name = match[1] ?? ''
      if (!/_(BYTES|MS|US|NS|COUNT|MB|MAX|MIN|DEFAULT)(_MAX|_MIN)?$/.test(name) && !/_COUNT$/.test(name)) bad.push(`${name}: no unit`)
      const previous = lines[index - 1] ?? ''
      if (!previous.startsWith('//') && !/^export const [A-Z_]+_MIN/.test(previous)) bad.push(`${name}: no reason above`)
    })
    assert.deepEqual(bad, [])
  })
})
