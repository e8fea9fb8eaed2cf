// wire/pg/transaction-exit: recognises COMMIT/ROLLBACK/END/ABORT from a statement's text, because in a failed
// transaction (status E) those are the only statements PostgreSQL runs; the rest get 25P02. sql/api.ts does not
// (yet) classify statements, so wire peeks at the first keyword after comments and whitespace.

const EXIT_KEYWORDS = new Set(['commit', 'rollback', 'end', 'abort'])

function skipSpaceAndComments(text: string): number {
  let index = 0
  for (;;) {
    while (index < text.length && /\s/.test(text[index] ?? '')) index++
    if (text.startsWith('--', index)) {
      const end = text.indexOf('\n', index)
      index = end < 0 ? text.length : end + 1
    } else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2)
      index = end < 0 ? text.length : end + 2
    } else {
      return index
    }
  }
}

export function isTransactionExit(text: string): boolean {
  const start = skipSpaceAndComments(text)
  const match = /^[A-Za-z]+/.exec(text.slice(start, start + 16))
  return match !== null && EXIT_KEYWORDS.has(match[0].toLowerCase())
}
