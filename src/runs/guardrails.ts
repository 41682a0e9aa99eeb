import type { Kysely } from 'kysely'
import type { Database } from '../store/schema.js'
import { isTimeZone } from '../domain/time-zone.js'

/** A daily window in which customers are not messaged, in their own time zone. */
export interface QuietHours {
  /** `HH:MM`, 24-hour clock. */
  readonly start: string
  readonly end: string
  /** Used when the customer has no time zone of their own; default UTC. */
  readonly time_zone?: string
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/** Minutes since local midnight in `timeZone` at `now`. */
function localMinutes(now: number, timeZone: string): { minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(now))
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0)
  return { minutes: get('hour') * 60 + get('minute'), seconds: get('second') }
}

/**
 * When quiet hours end, if `now` falls inside them (else null). Windows may cross midnight
 * (21:00–08:00). Computed from the local wall clock, so a DST change inside the window can shift
 * the end by the size of the change, never more.
 */
export function quietHoursEnd(q: QuietHours, customerTimeZone: string | null | undefined, now: number): { until: number; timeZone: string } | null {
  const timeZone = customerTimeZone && isTimeZone(customerTimeZone) ? customerTimeZone : (q.time_zone ?? 'UTC')
  const start = minutesOf(q.start)
  const end = minutesOf(q.end)
  if (start === end) return null
  const { minutes, seconds } = localMinutes(now, timeZone)
  const inside = start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end
  if (!inside) return null
  const wait = (end - minutes + 1440) % 1440
  return { until: now + wait * 60_000 - seconds * 1000, timeZone }
}

/**
 * When the customer may be messaged again under a cap of `cap` customer messages per rolling
 * 24 hours (across workflows), or null when below the cap. A cap of 0 means no cap.
 */
export async function capDeferral(db: Kysely<Database>, customerId: string, cap: number, now: number): Promise<number | null> {
  if (cap <= 0) return null
  const since = new Date(now - 86_400_000).toISOString()
  const rows = await db
    .selectFrom('messages')
    .select('created_at')
    .where('customer_id', '=', customerId)
    .where('channel', 'in', ['email', 'sms'])
    .where('status', 'in', ['sent', 'outbox'])
    .where('created_at', '>=', since)
    .orderBy('created_at', 'desc')
    .limit(cap)
    .execute()
  if (rows.length < cap) return null
  // The cap frees up when the oldest of the last `cap` messages is a day old.
  return Date.parse(rows[rows.length - 1].created_at) + 86_400_000
}
