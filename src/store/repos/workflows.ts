import type { Kysely } from 'kysely'
import { NotFoundError } from '../../domain/errors.js'
import type { WorkflowDefinition } from '../../domain/workflow.js'
import { toPage, type Page, type PageRequest } from '../page.js'
import type { Database, WorkflowRow } from '../schema.js'

export interface StoredWorkflow extends WorkflowDefinition {
  readonly version: number
  readonly created_at: string
  readonly updated_at: string
}

function toWorkflow(r: WorkflowRow): StoredWorkflow {
  return { ...(JSON.parse(r.definition) as WorkflowDefinition), id: r.id, status: r.status as StoredWorkflow['status'], version: r.version, created_at: r.created_at, updated_at: r.updated_at }
}

/** Reads the current version of a workflow; deleted ones are not found. */
export async function findWorkflow(db: Kysely<Database>, id: string): Promise<StoredWorkflow | undefined> {
  const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst()
  return row && toWorkflow(row)
}

/** Reads the current version of a workflow or throws NotFoundError. */
export async function getWorkflow(db: Kysely<Database>, id: string): Promise<StoredWorkflow> {
  const wf = await findWorkflow(db, id)
  if (!wf) throw new NotFoundError('Workflow', id)
  return wf
}

/**
 * Saves a definition as the next version (version 1 when new). Every change is a new version;
 * runs keep the version they started on.
 */
export async function saveWorkflowVersion(db: Kysely<Database>, def: WorkflowDefinition): Promise<StoredWorkflow> {
  const now = new Date().toISOString()
  const existing = await db.selectFrom('workflows').select(['version', 'created_at', 'deleted_at']).where('id', '=', def.id).executeTakeFirst()
  const version = (existing?.version ?? 0) + 1
  const definition = JSON.stringify(def)
  await db.insertInto('workflow_versions').values({ workflow_id: def.id, version, definition, created_at: now }).execute()
  const row: WorkflowRow = {
    id: def.id,
    name: def.name,
    status: def.status,
    version,
    trigger_type: def.trigger.type,
    definition,
    created_at: existing && !existing.deleted_at ? existing.created_at : now,
    updated_at: now,
    deleted_at: null,
  }
  if (existing) await db.updateTable('workflows').set(row).where('id', '=', def.id).execute()
  else await db.insertInto('workflows').values(row).execute()
  return toWorkflow(row)
}

/** Soft-deletes: the workflow stops matching; its runs carry on with their pinned versions. */
export async function deleteWorkflow(db: Kysely<Database>, id: string): Promise<void> {
  const res = await db
    .updateTable('workflows')
    .set({ deleted_at: new Date().toISOString(), status: 'paused' })
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('Workflow', id)
}

/** Brings an archived (soft-deleted) workflow back, paused: it starts runs again once activated. */
export async function restoreWorkflow(db: Kysely<Database>, id: string): Promise<StoredWorkflow> {
  await db
    .updateTable('workflows')
    .set({ deleted_at: null, status: 'paused', updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .where('deleted_at', 'is not', null)
    .execute()
  // A workflow that was not archived is simply returned; one that never existed is not found.
  return getWorkflow(db, id)
}

/** Lists workflows by id (`archived`: the archived ones instead, each with `archived_at`). */
export async function listWorkflows(db: Kysely<Database>, req: PageRequest & { status?: string; triggerType?: string; archived?: boolean }): Promise<Page<StoredWorkflow & { archived_at?: string }>> {
  if (req.archived) {
    let a = db.selectFrom('workflows').selectAll().where('deleted_at', 'is not', null).orderBy('id').limit(req.limit + 1)
    if (req.after) a = a.where('id', '>', req.after)
    return toPage(await a.execute(), req, (r) => r.id, (r) => ({ ...toWorkflow(r), archived_at: r.deleted_at! }))
  }
  let q = db.selectFrom('workflows').selectAll().where('deleted_at', 'is', null).orderBy('id').limit(req.limit + 1)
  if (req.after) q = q.where('id', '>', req.after)
  // The filter comes from a query string: a status no workflow has simply matches nothing.
  if (req.status) q = q.where('status', '=', req.status as WorkflowRow['status'])
  if (req.triggerType) q = q.where('trigger_type', '=', req.triggerType)
  return toPage(await q.execute(), req, (r) => r.id, toWorkflow)
}

/** Active workflows for the given trigger types (what ingest matches events against). */
export async function activeWorkflows(db: Kysely<Database>, triggerTypes: readonly string[]): Promise<StoredWorkflow[]> {
  if (triggerTypes.length === 0) return []
  const rows = await db
    .selectFrom('workflows')
    .selectAll()
    .where('status', '=', 'active')
    .where('deleted_at', 'is', null)
    .where('trigger_type', 'in', [...triggerTypes])
    .execute()
  return rows.map(toWorkflow)
}

/** One pinned version's definition. */
export async function getWorkflowVersion(db: Kysely<Database>, id: string, version: number): Promise<WorkflowDefinition> {
  const row = await db.selectFrom('workflow_versions').select('definition').where('workflow_id', '=', id).where('version', '=', version).executeTakeFirst()
  if (!row) throw new NotFoundError('Workflow version', `${id}@${version}`)
  return JSON.parse(row.definition) as WorkflowDefinition
}

/** Every version of a workflow, newest first. */
export async function listWorkflowVersions(db: Kysely<Database>, id: string): Promise<{ version: number; created_at: string; definition: WorkflowDefinition }[]> {
  const rows = await db.selectFrom('workflow_versions').selectAll().where('workflow_id', '=', id).orderBy('version', 'desc').execute()
  return rows.map((r) => ({ version: r.version, created_at: r.created_at, definition: JSON.parse(r.definition) as WorkflowDefinition }))
}
