// sql/functions/notify-functions: pg_notify(channel text, payload text) — NOTIFY with the channel as a string (not
// case-folded; a NULL channel is empty, a NULL payload is ''), sent at the transaction's COMMIT through the session's
// notifications (sql/exec/notifications.ts). pg_listening_channels() is a set-returning function (sql/bind/bind-srf.ts).
import { featureNotSupportedMessage } from '../../src/common/errors.js'
import type { ScalarFunction } from './function-def.js'

export const NOTIFY_FUNCTIONS: ReadonlyArray<ScalarFunction> = [{
  name: 'pg_notify', args: ['text', 'text'], result: 'void', strict: false, volatility: 'volatile',
  evaluate: (values, ctx) => {
    if (ctx.notifications === undefined) throw featureNotSupportedMessage('pg_notify() outside a session is not supported')
    ctx.notifications.notify(typeof values[0] === 'string' ? values[0] : '', typeof values[1] === 'string' ? values[1] : '')
    return ''
  },
}]
