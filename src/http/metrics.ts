import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { Kysely } from 'kysely'
import { countRunsByStatus } from '../store/repos/runs.js'
import { RUN_STATUSES } from '../domain/statuses.js'
import type { Database } from '../store/schema.js'

/** Prometheus metrics of one app (own registry, so several apps can share a process in tests). */
export class Metrics {
  readonly registry = new Registry()
  readonly eventsAccepted: Counter<'type' | 'outcome'>
  readonly stepLatency: Histogram<'type' | 'status'>

  constructor(db: Kysely<Database>) {
    this.eventsAccepted = new Counter({
      name: 'recoup_events_total',
      help: 'Events received, by type and outcome (accepted, duplicate, rejected)',
      labelNames: ['type', 'outcome'],
      registers: [this.registry],
    })
    this.stepLatency = new Histogram({
      name: 'recoup_step_duration_seconds',
      help: 'Time to execute one workflow step, by step type and result',
      labelNames: ['type', 'status'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [this.registry],
    })
    new Gauge({
      name: 'recoup_runs',
      help: 'Runs by status',
      labelNames: ['status'],
      registers: [this.registry],
      async collect() {
        const counts = await countRunsByStatus(db)
        this.reset()
        for (const s of RUN_STATUSES) this.set({ status: s }, counts[s] ?? 0)
      },
    })
  }
}
