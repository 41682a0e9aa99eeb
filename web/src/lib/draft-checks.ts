// Checks the builder makes as people type, before anything is sent: addresses, phone numbers and
// web addresses written out (templates such as {{ customer.email }} are checked by the server), and
// the example addresses templates ship with, which cannot go live.
import type { FieldError } from './problem'
import type { StepDraft, WorkflowDraft } from './workflow-draft'

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/
const E164 = /^\+[1-9]\d{6,14}$/
const EXAMPLE = /@(?:[a-z0-9-]+\.)*example\.(?:com|org|net)$/i
const isTemplate = (v: string) => v.includes('{{') || v.includes('{%')

function emailProblem(value: string): string | undefined {
  const v = value.trim()
  if (!v || isTemplate(v)) return undefined
  const bad = v.split(',').map((a) => a.trim()).find((a) => !EMAIL.test(a))
  return bad === undefined ? undefined : `“${bad}” is not an email address. Write one such as finance@yourcompany.com; separate several with commas.`
}

function phoneProblem(value: string): string | undefined {
  const v = value.trim()
  if (!v || isTemplate(v)) return undefined
  return E164.test(v) ? undefined : `“${v}” is not a phone number in international format. Write + and the country code, then the number, without spaces: +15555550100.`
}

function urlProblem(value: string): string | undefined {
  const v = value.trim()
  if (!v || isTemplate(v)) return undefined
  try {
    const u = new URL(v)
    if (u.protocol === 'https:' || u.protocol === 'http:') return undefined
  } catch {
    // not a URL at all
  }
  return `“${v}” is not a web address. Write the full address, starting with https://`
}

function stepProblems(path: string, s: StepDraft, out: FieldError[]): void {
  const add = (field: string, message: string | undefined) => {
    if (message) out.push({ path: `${path}.${field}`, message })
  }
  if (s.type === 'send_email') add('to', emailProblem(s.to))
  if (s.type === 'send_sms') add('to', phoneProblem(s.to))
  if (s.type === 'notify_team') {
    if (s.channel === 'email') add('to', emailProblem(s.to))
    else add('url', urlProblem(s.url))
  }
  if (s.type === 'webhook') add('url', urlProblem(s.url))
  if (s.type === 'retry_payment' || s.type === 'update_subscription') add('notify', emailProblem(s.notify))
  s.then.forEach((c, i) => stepProblems(`${path}.then[${i}]`, c, out))
  s.else.forEach((c, i) => stepProblems(`${path}.else[${i}]`, c, out))
}

/** Problems with what is typed, by field path (shown at once, beside the field). */
export function typedProblems(d: WorkflowDraft): FieldError[] {
  const out: FieldError[] = []
  d.steps.forEach((s, i) => stepProblems(`steps[${i}]`, s, out))
  return out
}

function exampleAddresses(path: string, s: StepDraft, out: FieldError[]): void {
  for (const field of ['to', 'notify'] as const) {
    const v = s[field].trim()
    const example = v.split(',').map((a) => a.trim()).find((a) => EXAMPLE.test(a))
    if (example) out.push({ path: `${path}.${field}`, message: `${example} is the template’s example address. Replace it with your team’s address before activating.` })
  }
  s.then.forEach((c, i) => exampleAddresses(`${path}.then[${i}]`, c, out))
  s.else.forEach((c, i) => exampleAddresses(`${path}.else[${i}]`, c, out))
}

/** What stops a workflow from being activated as it is: example addresses left from a template. */
export function activationProblems(d: WorkflowDraft): FieldError[] {
  const out: FieldError[] = []
  d.steps.forEach((s, i) => exampleAddresses(`steps[${i}]`, s, out))
  return out
}

/** A field path in words, for the error summary: `steps[1].to` → "Step 2 (alert-finance): to". */
export function pathInWords(path: string, d: WorkflowDraft): string {
  const top: Record<string, string> = {
    name: 'Name', description: 'Description', 'trigger.type': 'Trigger', 'trigger.products': 'Products', exit_on: 'Stop the run early when',
    'quiet_hours.start': 'Quiet hours: from', 'quiet_hours.end': 'Quiet hours: until', 'quiet_hours.time_zone': 'Quiet hours: time zone',
  }
  if (top[path]) return top[path]!
  const cond = /^trigger\.conditions\[(\d+)\](?:\.(\w+))?/.exec(path)
  if (cond) return `Condition ${Number(cond[1]) + 1}${cond[2] ? `: ${cond[2]}` : ''}`
  let steps: readonly StepDraft[] = d.steps
  let rest = path
  const names: string[] = []
  for (;;) {
    const m = /^(?:steps|\.then|\.else)\[(\d+)\]/.exec(rest)
    if (!m) break
    const step = steps[Number(m[1])]
    names.push(step ? `step ${Number(m[1]) + 1} (${step.id || step.type})` : `step ${Number(m[1]) + 1}`)
    rest = rest.slice(m[0].length)
    steps = step ? (rest.startsWith('.then') ? step.then : step.else) : []
  }
  if (!names.length) return path
  const field = rest.replace(/^\./, '').replace(/_/g, ' ')
  const label = names.join(', ')
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}${field ? `: ${field}` : ''}`
}
