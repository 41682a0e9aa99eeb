// When the engine must commit the steps it holds before running the next one: decided from the
// next step's traits (src/steps), never from its type's name.
import { describe, expect, it } from 'vitest'
import { readsPendingWrites } from './engine.js'

const node = (type: string) => ({ step: { id: `${type}-1`, type } })
const pending = (...types: string[]) => types.map((t) => ({ node: node(t) }))

describe('readsPendingWrites', () => {
  it('lets steps that read only template data join the pending commit', () => {
    for (const type of ['wait', 'update_customer', 'notify_team', 'webhook', 'branch']) {
      expect(readsPendingWrites(node(type), pending('update_customer')), type).toBe(false)
    }
  })

  it('commits first before a step that reads our records', () => {
    for (const type of ['retry_payment', 'offer', 'update_subscription']) expect(readsPendingWrites(node(type), pending('wait')), type).toBe(true)
  })

  it('commits a pending customer message before the next one, so the daily cap counts it', () => {
    expect(readsPendingWrites(node('send_sms'), pending('wait', 'update_customer'))).toBe(false)
    expect(readsPendingWrites(node('send_sms'), pending('send_email'))).toBe(true)
  })

  it('treats a type no action declares as one that reads everything', () => {
    expect(readsPendingWrites(node('send_fax'), [])).toBe(true)
  })
})
