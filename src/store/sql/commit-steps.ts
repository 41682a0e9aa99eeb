// The engine's step commit: a run's new state and its step results. On PostgreSQL both go in one
// statement (a data-modifying CTE), one round trip instead of two on the lane's connection; the
// step results are written only when the run's update matched, as with two statements.
import { CompiledQuery, type Kysely } from 'kysely'
import type { DialectName } from '../database.js'
import { rawQuery } from '../raw.js'
import type { Database, RunRow, StepResultRow } from '../schema.js'
import { insertRows, type RowsInsert } from './statement.js'

/** A step result to write (columns left out are written as 0 / null). */
export interface StepWrite {
  readonly stepId: string
  readonly type: string
  readonly s: Partial<StepResultRow> & { status: StepResultRow['status'] }
}

/** The run columns a step commit sets. */
export type RunUpdate = Pick<RunRow, 'status' | 'cursor' | 'seq' | 'updated_at' | 'finished_at' | 'wait_until' | 'wait_reason' | 'error' | 'outcome'>

const UPDATE_RUN = `update runs set status = ?, cursor = ?, seq = ?, updated_at = ?, finished_at = ?, wait_until = ?, wait_reason = ?, error = ?, outcome = ?
  where id = ? and seq = ? and status in ('running', 'waiting')`

const STEP_ROWS: RowsInsert<keyof StepResultRow> = {
  table: 'step_results',
  columns: ['run_id', 'step_id', 'type', 'status', 'attempts', 'started_at', 'finished_at', 'output', 'error'],
  tail: `on conflict (run_id, step_id) do update set type = excluded.type, status = excluded.status, attempts = excluded.attempts,
    started_at = excluded.started_at, finished_at = excluded.finished_at, output = excluded.output, error = excluded.error`,
}
const STEP_COLUMNS = STEP_ROWS.columns.join(', ')

// PostgreSQL: the step results as arrays (one text for any number of steps), inserted only for a
// run the update matched (`from r`).
const COMMIT_PG = `with r as (
    update runs set status = $1, cursor = $2, seq = $3, updated_at = $4, finished_at = $5, wait_until = $6, wait_reason = $7, error = $8, outcome = $9
    where id = $10 and seq = $11 and status in ('running', 'waiting') returning id
  ), s as (
    insert into step_results (${STEP_COLUMNS})
    select r.id, v.step_id, v.type, v.status, v.attempts, v.started_at, v.finished_at, v.output, v.error
    from r, unnest($12::text[], $13::text[], $14::text[], $15::int[], $16::text[], $17::text[], $18::text[], $19::text[])
      as v(step_id, type, status, attempts, started_at, finished_at, output, error)
    ${STEP_ROWS.tail}
  )
  select count(*)::int as n from r`

/**
 * Sets a run's new state, guarded by the `seq` it had when its steps started (a run canceled or
 * exited meanwhile is left alone), and writes the step results (a step met twice keeps its last
 * result). Returns whether the run matched; when it did not, nothing was written.
 */
export async function commitRunSteps(
  db: Kysely<Database>,
  dialect: DialectName,
  options: { readonly runId: string; readonly baseSeq: number; readonly run: RunUpdate; readonly steps: readonly StepWrite[] },
): Promise<boolean> {
  const { runId, baseSeq, run: u } = options
  const last = new Map<string, StepWrite>()
  for (const w of options.steps) last.set(w.stepId, w)
  const runParams = [u.status, u.cursor, u.seq, u.updated_at, u.finished_at, u.wait_until, u.wait_reason, u.error, u.outcome, runId, baseSeq]
  if (dialect === 'postgres') {
    const cols: unknown[][] = [[], [], [], [], [], [], [], []]
    for (const { stepId, type, s } of last.values()) {
      const row = [stepId, type, s.status, s.attempts ?? 0, s.started_at ?? null, s.finished_at ?? null, s.output ?? null, s.error ?? null]
      row.forEach((v, i) => cols[i]!.push(v))
    }
    const res = await db.executeQuery<{ n: number }>(CompiledQuery.raw(COMMIT_PG, [...runParams, ...cols]))
    return Number(res.rows[0]?.n ?? 0) > 0
  }
  const res = await db.executeQuery(rawQuery(dialect, UPDATE_RUN, runParams))
  if (Number(res.numAffectedRows ?? 0) === 0) return false
  await insertRows(db, STEP_ROWS, [...last.values()].map(({ stepId, type, s }) => ({
    run_id: runId, step_id: stepId, type, status: s.status, attempts: s.attempts ?? 0, started_at: s.started_at ?? null,
    finished_at: s.finished_at ?? null, output: s.output ?? null, error: s.error ?? null,
  })))
  return true
}
