import { CompiledQuery, type Kysely } from 'kysely'
import type { DialectName } from '../database.js'
import { rawQuery } from '../raw.js'
import type { CustomerRow, Database, RunRow, StepResultRow } from '../schema.js'
import { toCustomer } from './customers.js'

// What the engine reads to advance a run: the run, its customer and its step results.

const CUSTOMER_COLUMNS = ['id', 'email', 'phone', 'name', 'time_zone', 'locale', 'tags', 'fields', 'sms_opt_out', 'email_opt_out', 'created_at', 'updated_at'] as const
const CUSTOMER_PREFIX = 'customer__'
const STEPS = 'steps__'
const RUN_WITH_CUSTOMER = `select r.*, ${CUSTOMER_COLUMNS.map((c) => `c.${c} as ${CUSTOMER_PREFIX}${c}`).join(', ')}
  from runs r left join customers c on c.id = r.customer_id where r.id = ?`
// PostgreSQL: the step results ride along as JSON, one round trip for all three.
const RUN_WITH_CUSTOMER_AND_STEPS = `select r.*, ${CUSTOMER_COLUMNS.map((c) => `c.${c} as ${CUSTOMER_PREFIX}${c}`).join(', ')},
  (select coalesce(json_agg(s), '[]'::json) from step_results s where s.run_id = r.id) as ${STEPS}
  from runs r left join customers c on c.id = r.customer_id where r.id = $1`
const STEP_RESULTS = 'select * from step_results where run_id = ?'

/** A run as the engine advances it. */
export interface RunState {
  readonly run: RunRow
  /** The customer as templates see it; one not stored (yet) has no tags or fields. */
  readonly customer: Record<string, unknown>
  readonly steps: readonly StepResultRow[]
}

/**
 * Reads a run with its customer and step results, or undefined when there is no such run. One
 * round trip on PostgreSQL (json_agg); on SQLite two in-process statements cost less than the JSON.
 */
export async function readRunState(db: Kysely<Database>, dialect: DialectName, runId: string): Promise<RunState | undefined> {
  if (dialect === 'postgres') {
    const row = (await db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(RUN_WITH_CUSTOMER_AND_STEPS, [runId]))).rows[0]
    if (!row) return undefined
    const steps = row[STEPS] as StepResultRow[]
    delete row[STEPS]
    return { ...split(row), steps }
  }
  const row = (await db.executeQuery<Record<string, unknown>>(rawQuery(dialect, RUN_WITH_CUSTOMER, [runId]))).rows[0]
  if (!row) return undefined
  const steps = (await db.executeQuery<StepResultRow>(rawQuery(dialect, STEP_RESULTS, [runId]))).rows
  return { ...split(row), steps }
}

/** Splits a RUN_WITH_CUSTOMER row into the run and its customer. */
function split(row: Record<string, unknown>): { run: RunRow; customer: Record<string, unknown> } {
  const run: Record<string, unknown> = {}
  const c: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) {
    if (k.startsWith(CUSTOMER_PREFIX)) c[k.slice(CUSTOMER_PREFIX.length)] = v
    else run[k] = v
  }
  const r = run as unknown as RunRow
  const customer = c.id == null ? { id: r.customer_id, tags: [], fields: {} } : (toCustomer(c as unknown as CustomerRow) as unknown as Record<string, unknown>)
  return { run: r, customer }
}
