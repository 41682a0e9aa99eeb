import type { ActionDefinition } from './action.js'
import { notifyTeam } from './notify-team.js'
import { offer } from './offer.js'
import { retryPayment } from './retry-payment.js'
import { sendEmail } from './send-email.js'
import { sendSms } from './send-sms.js'
import { updateCustomer } from './update-customer.js'
import { updateSubscription } from './update-subscription.js'
import { wait } from './wait.js'
import { webhook } from './webhook.js'

/** Every step type by name. `branch` is not here: the engine itself runs it. */
export const ACTIONS: ReadonlyMap<string, ActionDefinition> = new Map(
  [sendEmail, sendSms, notifyTeam, updateCustomer, wait, webhook, retryPayment, offer, updateSubscription].map((a) => [a.type, a as unknown as ActionDefinition]),
)

/** Step types a workflow may use, for messages and the dashboard. */
export const STEP_TYPES = [...ACTIONS.keys(), 'branch'] as const
