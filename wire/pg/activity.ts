// wire/pg/activity: what pg_stat_activity shows of one session — its state (active while a statement runs, idle, idle
// in transaction, idle in transaction (aborted) at ReadyForQuery), the current or last query's text and start, the
// transaction's start and when the state last changed — as PostgreSQL's backend reports it (pgstat_report_activity
// at Query, Parse, Bind and Execute; idle at ReadyForQuery). An idle session waits on Client/ClientRead, as there.
import type { BackendActivity, SessionContext } from '../../sql/api.js'

type State = BackendActivity['state']

const STATE_OF: Readonly<Record<'I' | 'T' | 'E', State>> = { I: 'idle', T: 'idle in transaction', E: 'idle in transaction (aborted)' }

function nowUs(): number {
  return Date.now() * 1000
}

export class SessionActivity {
  readonly backendStartUs = nowUs()
  private state: State = 'idle'
  private query = ''
  private queryStartUs: number | null = null
  private stateChangeUs: number | null = null
  private xactStartUs: number | null = null

  /** A statement (or a Parse/Bind/Execute of one) starts: the session is active with this text. */
  running(text: string): void {
    const now = nowUs()
    this.state = 'active'
    this.query = text
    // Each message reports anew, as PostgreSQL's pgstat_report_activity: both times move to the latest message.
    this.stateChangeUs = now
    this.queryStartUs = now
    this.xactStartUs ??= now
  }

  /** ReadyForQuery with this transaction status: idle, or idle inside a (failed) transaction block. */
  ready(status: 'I' | 'T' | 'E'): void {
    this.state = STATE_OF[status]
    this.stateChangeUs = nowUs()
    // A failed block's transaction is over (PostgreSQL aborted it at the error): no xact_start until the next one.
    if (status !== 'T') this.xactStartUs = null
  }

  snapshot(): Pick<BackendActivity, 'state' | 'query' | 'queryStartUs' | 'stateChangeUs' | 'xactStartUs' | 'backendStartUs'> {
    return {
      state: this.state, query: this.query, queryStartUs: this.queryStartUs, stateChangeUs: this.stateChangeUs,
      xactStartUs: this.xactStartUs, backendStartUs: this.backendStartUs,
    }
  }
}

/** An IPv4 client on a dual-stack socket shows as inet prints it ('127.0.0.1', not '::ffff:127.0.0.1'). */
export function clientAddress(address: string | undefined): string | null {
  if (address === undefined) return null
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address
}

/** The session's pg_stat_activity row: who (user, database, application_name), from where, and the tracker's state. */
export function activityRow(pid: number, context: SessionContext, state: ReturnType<SessionActivity['snapshot']>,
  peer: { readonly address: string | undefined; readonly port: number | undefined } | undefined): BackendActivity {
  return {
    pid, user: context.user, database: context.database, applicationName: context.settings.get('application_name') ?? '',
    clientAddress: clientAddress(peer?.address), clientPort: peer?.port ?? null, ...state,
  }
}
