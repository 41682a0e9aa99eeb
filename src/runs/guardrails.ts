import type { Kysely } from 'kysely'
import { recentMessageTimes } from '../store/repos/message-cap.js'
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
 * A daily cap of `cap` customer messages per rolling 24 hours (across workflows; 0: no cap). The
 * checks of runs advanced at the same moment share one query: a burst of due message steps costs
 * one round trip, not one each.
 */
export class MessageCap {
  readonly #db: Kysely<Database>
  readonly #cap: number
  #waiting: { customerId: string; now: number; resolve: (v: number | null) => void; reject: (e: unknown) => void }[] = []

  constructor(options: { db: Kysely<Database>; cap: number }) {
    this.#db = options.db
    this.#cap = options.cap
  }

  /** When the customer may be messaged again, or null when below the cap. */
  deferral(customerId: string, now: number): Promise<number | null> {
    if (this.#cap <= 0) return Promise.resolve(null)
    return new Promise((resolve, reject) => {
      if (this.#waiting.length === 0) setImmediate(() => void this.#flush())
      this.#waiting.push({ customerId, now, resolve, reject })
    })
  }

  async #flush(): Promise<void> {
    const batch = this.#waiting
    this.#waiting = []
    try {
      // The earliest window covers every request's; each keeps only its own day below.
      const since = Math.min(...batch.map((b) => b.now)) - 86_400_000
      const times = await recentMessageTimes(this.#db, [...new Set(batch.map((b) => b.customerId))], new Date(since).toISOString(), this.#cap)
      for (const b of batch) {
        const own = new Date(b.now - 86_400_000).toISOString()
        const recent = (times.get(b.customerId) ?? []).filter((t) => t >= own)
        // The cap frees up when the oldest of the last `cap` messages is a day old.
        b.resolve(recent.length < this.#cap ? null : Date.parse(recent[this.#cap - 1]!) + 86_400_000)
      }
    } catch (err) {
      for (const b of batch) b.reject(err)
    }
  }
}
