import type { TriggerType } from '../domain/workflow.js'
import { installmentCanceled } from './installment-canceled.js'
import { paymentFailed } from './payment-failed.js'
import type { TriggerSpec } from './trigger.js'

/** Every trigger a workflow can start from. */
export const TRIGGERS: Readonly<Record<TriggerType, TriggerSpec>> = {
  'payment.failed': paymentFailed,
  'installment_plan.canceled': installmentCanceled,
}
