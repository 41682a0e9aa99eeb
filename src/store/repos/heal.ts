import type { Kysely } from 'kysely'
import { patchCustomer } from './customers.js'
import type { Database, RunRow } from '../schema.js'

/**
 * What an `update_customer` step marked "until recovered" undoes when its run ends as recovered or
 * offer accepted (written into the step's output as `undo_when_recovered`).
 */
export interface RecordsUndo {
  /** Tags the step added that the customer did not have before. */
  readonly remove_tags?: readonly string[]
  /** Tags the step removed that the customer had. */
  readonly add_tags?: readonly string[]
  /** Fields back to what they were (or to the step's `restore_fields`). */
  readonly set_fields?: Readonly<Record<string, unknown>>
}

/**
 * Heals the customer's record after a recovery: undoes, newest step first, what the run's steps
 * marked as temporary (at-risk tags, `billing_status: past_due`), and notes what changed on the
 * customer's timeline. Runs in the transaction that ends the run.
 */
export async function healRecords(db: Kysely<Database>, run: Pick<RunRow, 'id' | 'customer_id'>): Promise<void> {
  const rows = await db
    .selectFrom('step_results')
    .select(['step_id', 'output', 'finished_at'])
    .where('run_id', '=', run.id)
    .where('type', '=', 'update_customer')
    .where('status', '=', 'completed')
    .execute()
  const undos = rows
    .map((r) => ({ step: r.step_id, at: r.finished_at ?? '', undo: r.output ? ((JSON.parse(r.output) as { undo_when_recovered?: RecordsUndo }).undo_when_recovered ?? null) : null }))
    .filter((u): u is { step: string; at: string; undo: RecordsUndo } => u.undo !== null)
    .sort((a, b) => b.at.localeCompare(a.at))
  if (undos.length === 0) return
  const removeTags = [...new Set(undos.flatMap((u) => u.undo.remove_tags ?? []))]
  const addTags = [...new Set(undos.flatMap((u) => u.undo.add_tags ?? []))].filter((t) => !removeTags.includes(t))
  // The oldest step's "before" wins: it is what the record was before the run touched it.
  const setFields: Record<string, unknown> = {}
  for (const u of undos) Object.assign(setFields, u.undo.set_fields ?? {})
  const said = [
    ...(removeTags.length ? [`removed ${removeTags.length === 1 ? 'tag' : 'tags'} ${removeTags.join(', ')}`] : []),
    ...(addTags.length ? [`tagged ${addTags.join(', ')} again`] : []),
    ...Object.entries(setFields).map(([k, v]) => `${k} back to ${v === null ? '(empty)' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`),
  ]
  const exists = await db.selectFrom('customers').select('id').where('id', '=', run.customer_id).executeTakeFirst()
  if (!exists) return
  await patchCustomer(db, run.customer_id, {
    removeTags,
    addTags,
    setFields,
    note: `Recovered, so the run's temporary changes were undone: ${said.join('; ')}.`,
    runId: run.id,
  })
}
