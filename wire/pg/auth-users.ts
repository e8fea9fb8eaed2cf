// wire/pg/auth-users: the users file (--users-file): one `"name" "verifier"` per line, PgBouncer's auth_file layout
// (a `"` inside quotes is written `""`; blank lines and lines starting with # are ignored). Verifiers only: a plain
// password is refused with its line number. The server re-reads the file when it changes, so `nodedb user set` takes
// effect for the next connection. Knows nothing of sockets.
import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { log } from '../../src/common/log.js'
import {
  buildMd5Verifier, buildScramVerifier, formatVerifier, hmacSha256, parseVerifier, SCRAM_ITERATIONS_DEFAULT,
  SCRAM_KEY_BYTES, SCRAM_SALT_BYTES, type ScramVerifier, type Verifier,
} from './auth-verifier.js'

export class UsersFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsersFileError'
  }
}

const LINE = /^"((?:[^"]|"")*)"\s+"((?:[^"]|"")*)"\s*$/

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}

/** name → verifier; throws UsersFileError naming the file and line of the first bad entry. */
export function parseUsersFile(text: string, file: string): Map<string, Verifier> {
  const users = new Map<string, Verifier>()
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) return
    const match = LINE.exec(line)
    const where = `${file}:${index + 1}`
    if (match === null) throw new UsersFileError(`${where}: expected "name" "verifier"`)
    const name = (match[1] ?? '').replaceAll('""', '"')
    const verifier = parseVerifier((match[2] ?? '').replaceAll('""', '"'))
    if (name === '') throw new UsersFileError(`${where}: empty user name`)
    if (verifier === null) {
      throw new UsersFileError(`${where}: not a SCRAM-SHA-256 or md5 verifier (plain passwords are not accepted: use nodedb user set)`)
    }
    users.set(name, verifier)
  })
  return users
}

/** The file's text with `name` set to `verifier` (or removed, for null); other lines and comments are kept. */
export function editUsersFile(text: string, name: string, verifier: Verifier | null): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n')
  const kept = lines.filter((line) => {
    const match = LINE.exec(line.trim())
    return match === null || (match[1] ?? '').replaceAll('""', '"') !== name
  })
  if (verifier !== null) kept.push(`${quote(name)} ${quote(formatVerifier(verifier))}`)
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`
}

export type VerifierKind = Verifier['kind']

/**
 * The users the server authenticates against. lookup() re-reads the file when its size, mtime or inode changed; a
 * file that no longer parses is logged and the previous users stay in force (the server never runs with none).
 */
export class UsersStore {
  private stamp: string
  private users: Map<string, Verifier>

  private constructor(private readonly file: string, stamp: string, text: string, private readonly mockKey: Buffer) {
    this.stamp = stamp
    this.users = parseUsersFile(text, file)
  }

  /**
   * Reads and checks the file; throws UsersFileError with one line to print. `mockKey` (loadMockAuthKey) must outlive
   * restarts and edits of the file, or an unknown user's salt would change when real users' salts do not.
   */
  static async open(file: string, mockKey: Buffer): Promise<UsersStore> {
    const resolved = path.resolve(file)
    try {
      const stat = await fs.stat(resolved)
      return new UsersStore(resolved, stampOf(stat), await fs.readFile(resolved, 'utf8'), mockKey)
    } catch (error: unknown) {
      if (error instanceof UsersFileError) throw error
      throw new UsersFileError(`cannot read users file ${resolved}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  async lookup(user: string): Promise<Verifier | null> {
    await this.reloadIfChanged()
    return this.users.get(user) ?? null
  }

  /**
   * The verifier an unknown user is challenged with (PostgreSQL's mock authentication): the salt is derived from the
   * name and the server's persistent mock key, so it never changes, as a real user's does not; the keys are random,
   * so no password matches.
   */
  mockScramVerifier(user: string): ScramVerifier {
    return {
      kind: 'scram', iterations: SCRAM_ITERATIONS_DEFAULT, salt: hmacSha256(this.mockKey, user).subarray(0, SCRAM_SALT_BYTES),
      storedKey: randomBytes(SCRAM_KEY_BYTES), serverKey: randomBytes(SCRAM_KEY_BYTES),
    }
  }

  /** The verifier kind most users have (SCRAM on a tie): the md5 method challenges an unknown user with it. */
  commonKind(): VerifierKind {
    let md5Count = 0
    for (const verifier of this.users.values()) if (verifier.kind === 'md5') md5Count++
    return md5Count * 2 > this.users.size ? 'md5' : 'scram'
  }

  private async reloadIfChanged(): Promise<void> {
    try {
      const stat = await fs.stat(this.file)
      const stamp = stampOf(stat)
      if (stamp === this.stamp) return
      const text = await fs.readFile(this.file, 'utf8')
      this.users = parseUsersFile(text, this.file)
      this.stamp = stamp
      log.info({ file: this.file, users: this.users.size }, 'users file reloaded')
    } catch (error: unknown) {
      log.error({ err: error, file: this.file }, 'users file not reloaded: the previous users stay in force')
    }
  }
}

function stampOf(stat: { readonly size: number; readonly mtimeMs: number; readonly ino: number }): string {
  return `${stat.size}:${stat.mtimeMs}:${stat.ino}`
}

const MOCK_KEY_FILE = 'auth-mock.key'
const MOCK_KEY_BYTES = 32

/**
 * The secret behind mock salts, kept in the data directory as PostgreSQL keeps its mock authentication nonce in
 * pg_control: created (random, mode 0600) on first use, the same for every later start.
 */
export async function loadMockAuthKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, MOCK_KEY_FILE)
  try {
    const key = await fs.readFile(file)
    if (key.length === MOCK_KEY_BYTES) return key
    throw new UsersFileError(`${file} is damaged (expected ${MOCK_KEY_BYTES} bytes): remove it to make a new one`)
  } catch (error: unknown) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')) throw error
  }
  await fs.mkdir(dataDir, { recursive: true })
  const key = randomBytes(MOCK_KEY_BYTES)
  await writeAtomically(file, key)
  return key
}

/** `nodedb user set`: writes (or replaces) one user's verifier; the file is replaced atomically, mode 0600. */
export async function setUser(file: string, name: string, password: Buffer, kind: VerifierKind): Promise<void> {
  if (name === '') throw new UsersFileError('the user name must not be empty')
  if (password.length === 0) throw new UsersFileError('empty password')
  const verifier = kind === 'md5' ? buildMd5Verifier(password, name) : await buildScramVerifier(password)
  await rewrite(file, (text) => editUsersFile(text, name, verifier))
}

/** `nodedb user remove`: drops one user; an unknown name is an error. */
export async function removeUser(file: string, name: string): Promise<void> {
  await rewrite(file, (text) => {
    const users = parseUsersFile(text, file)
    if (!users.has(name)) throw new UsersFileError(`no user "${name}" in ${file}`)
    return editUsersFile(text, name, null)
  })
}

async function rewrite(file: string, edit: (text: string) => string): Promise<void> {
  const resolved = path.resolve(file)
  let text = ''
  try {
    text = await fs.readFile(resolved, 'utf8')
  } catch (error: unknown) {
    if (!(typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT')) throw error
  }
  parseUsersFile(text, resolved)
  await writeAtomically(resolved, edit(text))
}

/** Temp file (mode 0600), fsync, rename: readers see the old file or the new one, never half of one. */
async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`
  const handle = await fs.open(temp, 'w', 0o600)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.rename(temp, file)
}
