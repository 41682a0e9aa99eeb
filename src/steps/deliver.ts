import type { ChannelKind, OutboundMessage } from '../channels/channel.js'
import { PermanentError } from '../domain/errors.js'
import { insertMessage, type MessageChannel } from '../store/repos/messages.js'
import type { ActionInput, ActionResult } from './action.js'
import { saveCustomerLinks } from './customer-links.js'

export interface Delivery {
  /** Which channel carries it. */
  readonly kind: ChannelKind
  /** How the message is filed in the messages list. */
  readonly filedAs: MessageChannel
  readonly to: string
  readonly subject?: string
  readonly body: string
  /** The email's text part when it is more than `body` (the layout's footer); `body` is what is filed. */
  readonly text?: string
  readonly html?: string
  readonly meta?: Readonly<Record<string, unknown>>
}

/**
 * Hands a rendered message to its channel (or the outbox when none is configured) and files it.
 * A permanent failure fails the step and files the message as failed; any other error propagates
 * so the engine retries with backoff.
 */
export async function deliver(input: ActionInput<unknown>, d: Delivery): Promise<ActionResult> {
  const message: OutboundMessage = {
    kind: d.kind,
    to: d.to,
    subject: d.subject,
    body: d.text ?? d.body,
    html: d.html,
    idempotencyKey: input.idempotencyKey,
    meta: d.meta,
  }
  const channel = input.channels[d.kind]
  const record = filed(input, d)
  // The short links the message carries must open before anyone can have the message.
  await saveCustomerLinks(input.db, input.data, input.now)
  if (!channel) {
    return {
      status: 'completed',
      output: { delivery: 'outbox', to: d.to },
      apply: async (trx) => void (await insertMessage(trx, { ...record, status: 'outbox' })),
    }
  }
  try {
    const result = await channel.send(message)
    return {
      status: 'completed',
      output: { delivery: result.status, to: d.to, ...(result.providerId ? { provider_id: result.providerId } : {}) },
      apply: async (trx) => void (await insertMessage(trx, { ...record, status: result.status, provider_id: result.providerId })),
    }
  } catch (err) {
    if (!(err instanceof PermanentError)) throw err
    return {
      status: 'failed',
      error: err.message,
      apply: async (trx) => void (await insertMessage(trx, { ...record, status: 'failed', error: err.message })),
    }
  }
}

/** Files a message that was deliberately not sent (opted out, no address) and skips the step. */
export function skipDelivery(input: ActionInput<unknown>, d: Omit<Delivery, 'kind'>, reason: string): ActionResult {
  return {
    status: 'skipped',
    reason,
    apply: async (trx) => void (await insertMessage(trx, { ...filed(input, d), status: 'skipped', error: reason })),
  }
}

/** The message as the messages list files it, whatever became of it. */
function filed(input: ActionInput<unknown>, d: Omit<Delivery, 'kind'>) {
  return { run_id: input.runId, step_id: input.stepId, customer_id: input.customerId, channel: d.filedAs, to: d.to, subject: d.subject, body: d.body }
}
