import type { Kysely } from 'kysely'
import { offerDecisionId, type OfferState, type OfferStatus } from '../../domain/offers.js'
import { WAITING_STEP_STATUS } from '../../steps/action.js'
import { ACTIONS } from '../../steps/registry.js'
import type { Database, RunRow } from '../../store/schema.js'

/** The offer a portal link shows: the run's open offer, else its latest one. */
export interface OfferView {
  readonly stepId: string
  readonly state: OfferState
  /** `withdrawn`: the run ended another way (e.g. the customer paid) while the offer was open. */
  readonly status: OfferStatus | 'withdrawn'
}

/** The step types whose state the offer link shows (their actions' portal view), with that view. */
const OFFER_VIEWS = [...ACTIONS.values()].filter((a) => a.portal?.link === 'offer').map((a) => [a.type, a.portal!] as const)

/** Reads the offer of a run as the customer should see it now, or undefined when it made none. */
export async function loadOffer(db: Kysely<Database>, run: RunRow, now: number): Promise<OfferView | undefined> {
  const views = new Map(OFFER_VIEWS)
  const rows = await db
    .selectFrom('step_results')
    .select(['step_id', 'type', 'status', 'output', 'started_at', 'finished_at'])
    .where('run_id', '=', run.id)
    .where('type', 'in', [...views.keys()])
    .where('status', 'in', [WAITING_STEP_STATUS, 'completed'])
    .execute()
  const offers = rows.flatMap((r) => {
    const state = r.output ? (views.get(r.type)!.read(JSON.parse(r.output) as Record<string, unknown>) as OfferState | undefined) : undefined
    return state ? [{ ...r, state }] : []
  })
  // An offer step waiting for an answer is the one to show; otherwise the one that finished last is the one to show.
  const row = offers.find((r) => r.status === WAITING_STEP_STATUS) ?? offers.sort((a, b) => (b.finished_at ?? '').localeCompare(a.finished_at ?? ''))[0]
  if (!row) return undefined
  const state = row.state
  const ids = [offerDecisionId('accepted', run.id, row.step_id), offerDecisionId('declined', run.id, row.step_id)]
  const decided = new Set((await db.selectFrom('events').select('id').where('id', 'in', ids).execute()).map((e) => e.id))
  let status: OfferView['status'] = state.status
  if (decided.has(ids[0])) status = 'accepted'
  else if (decided.has(ids[1])) status = 'declined'
  else if (status === 'open' && now >= Date.parse(state.expires_at)) status = 'expired'
  else if (status === 'open' && run.status !== 'running' && run.status !== 'waiting') status = 'withdrawn'
  return { stepId: row.step_id, state, status }
}
