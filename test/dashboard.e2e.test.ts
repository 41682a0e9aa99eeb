// The dashboard in a real browser (Debian's Chromium via playwright-core) against the real server:
// sign in, build a workflow for one product, send events for it and for another product, see
// exactly one run with its timeline, rendered email and the customer's new tag, then pause it and
// see no new run. Then: a workflow copied from a starter template, its run page explaining why it
// waits, a webhook endpoint (secret shown once), a customer's plan, and analytics with non-zero
// figures after a failure and its recovery. Screenshots of the main pages go to
// test-artifacts/dashboard/ (git-ignored), at laptop and phone widths.
import { execFileSync, spawn } from 'node:child_process'
import { createServer as createHttpServer, type Server } from 'node:http'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromium, type Browser, type Page } from 'playwright-core'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const ARTIFACTS = join(ROOT, 'test-artifacts', 'dashboard')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

interface RunningServer {
  url: string
  apiKey: string
  stop(): Promise<void>
}

/** A TCP port nobody is listening on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address()
      s.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** Starts `recoup start` as documented in API.md (RECOUP_PORT, RECOUP_API_KEY, DATABASE_URL) in a temp dir. */
async function spawnRecoup(): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'recoup-e2e-'))
  const port = await freePort()
  const apiKey = 'e2e-dashboard-key-0123456789abcdef'
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['src/cli/main.ts', 'start'], {
    cwd: ROOT,
    env: { ...process.env, RECOUP_PORT: String(port), RECOUP_API_KEY: apiKey, DATABASE_URL: join(dir, 'recoup.db'), RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`recoup exited with ${child.exitCode}: ${stderr}`)
    const res = await fetch(`${url}/healthz`)
    if (res.status !== 200) throw new Error(`healthz answered ${res.status}`)
  }, 'the server to answer /healthz', 240)
  return {
    url,
    apiKey,
    async stop() {
      child.kill('SIGTERM')
      await exited
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** The server under test: RECOUP_E2E_URL (already running), test/helpers/server.ts, or a spawned `recoup start`. */
async function startRecoup(): Promise<RunningServer> {
  const external = process.env.RECOUP_E2E_URL
  if (external) return { url: external.replace(/\/$/, ''), apiKey: process.env.RECOUP_E2E_API_KEY ?? '', stop: async () => {} }
  if (!existsSync(join(ROOT, 'test', 'helpers', 'server.ts'))) return spawnRecoup()
  // A variable specifier keeps this file compiling whatever the helper's exact types are.
  const spec = './helpers/server.js'
  const helper = (await import(/* @vite-ignore */ spec)) as {
    startServer(options?: { env?: Record<string, string> }): Promise<RunningServer>
  }
  // Private addresses allowed: a local endpoint stands in for a team's broken, then fixed, webhook.
  return helper.startServer({ env: { RECOUP_WEBHOOK_ALLOW_PRIVATE: 'true' } })
}

/** Newest modification time under `dir` (files only). */
function newestMtime(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = join(dir, e.name)
    return Math.max(max, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }, 0)
}

/** Builds web/ into dist/web when the build is missing or older than the sources. */
function ensureDashboardBuilt(): void {
  const web = join(ROOT, 'web')
  const index = join(ROOT, 'dist', 'web', 'index.html')
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(join(web, 'src'))) return
  if (!existsSync(join(web, 'node_modules'))) execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: web, stdio: 'inherit' })
  execFileSync('npm', ['run', 'build'], { cwd: web, stdio: 'inherit' })
}

/** Retries `check` until it passes; a state the page reaches eventually, never a timing claim. */
async function eventually<T>(check: () => Promise<T>, what: string, tries = 120): Promise<T> {
  let last: unknown
  for (let i = 0; i < tries; i += 1) {
    try {
      return await check()
    } catch (err) {
      last = err
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  throw new Error(`${what}: ${last instanceof Error ? last.message : String(last)}`)
}

const haveChromium = existsSync(CHROMIUM)
if (!haveChromium) console.warn(`dashboard e2e skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`)

describe.skipIf(!haveChromium)('dashboard in Chromium', () => {
  let srv: RunningServer
  let browser: Browser
  let page: Page
  const suffix = String(process.pid)
  const alpha = { id: `prod_e2e_alpha_${suffix}`, name: `E2E Alpha plan ${suffix}` }
  const beta = { id: `prod_e2e_beta_${suffix}`, name: `E2E Beta plan ${suffix}` }
  const tag = 'e2e-recovering'
  const wfName = `E2E failed payment ${suffix}`

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${srv.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${srv.apiKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
  }
  const paymentFailed = (eventId: string, customerId: string, name: string, productId: string) =>
    api('POST', '/v1/events', {
      id: eventId, type: 'payment.failed', occurred_at: '2026-11-21T10:00:00Z',
      customer: { id: customerId, email: `${customerId}@example.com`, name },
      product_ids: [productId],
      payment: { id: `pay_${eventId}`, amount: 4900, currency: 'USD', subscription_id: `sub_${customerId}`, failure_code: 'card_declined', attempt: 1 },
    })
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })
  /** A phone-width (390 px) screenshot, failing when the page scrolls sideways. */
  const phoneShot = async (name: string) => {
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      expect(overflow, `${name} overflows at 390px`).toBeLessThanOrEqual(0)
      await shot(name)
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 })
    }
  }
  const gamma = { id: `prod_e2e_gamma_${suffix}`, name: `E2E Gamma plan with a rather long product name ${suffix}` }
  const delta = { id: `prod_e2e_delta_${suffix}`, name: `E2E Delta course ${suffix}` }
  const templateWfName = `From template ${suffix}`
  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click()

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    ensureDashboardBuilt()
    srv = await startRecoup()
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    page.setDefaultTimeout(30_000)
    for (const p of [beta, gamma, delta]) {
      const created = await api('POST', '/v1/products', { id: p.id, name: p.name })
      expect(created.status).toBe(201)
    }
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await srv?.stop()
  })

  it('rejects a wrong key, then signs in with the right one', async () => {
    await page.goto(srv.url)
    await page.getByLabel('API key').fill('not-a-key')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByText('That API key was not accepted').waitFor()
    await page.getByLabel('API key').fill(srv.apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Workflows', level: 1 }).waitFor()
    await shot('01-workflows-empty')
  }, 60_000)

  it('creates a product from the products page', async () => {
    await nav('Products')
    await page.getByLabel('Name', { exact: true }).fill(alpha.name)
    await page.getByLabel('ID (optional)').fill(alpha.id)
    await page.getByRole('button', { name: 'Add product' }).click()
    await page.getByRole('cell', { name: alpha.id }).waitFor()
    await shot('02-products')
  }, 60_000)

  let workflowId = ''
  it('builds a workflow for one product, showing API validation errors beside the field', async () => {
    await nav('Workflows')
    await page.getByRole('link', { name: 'New workflow' }).click()
    await page.getByLabel('Name', { exact: true }).fill(wfName)
    await page.getByRole('radio', { name: /Payment failed/ }).check()
    await page.getByLabel('Search products').fill('Alpha')
    await page.getByRole('checkbox', { name: new RegExp(alpha.name) }).check()
    expect(await page.getByRole('checkbox', { name: new RegExp(beta.name) }).count()).toBe(0)

    await page.getByRole('button', { name: 'Add step' }).click()
    await page.getByLabel('Subject', { exact: true }).fill('')
    await page.getByRole('button', { name: 'Save as draft' }).click()
    const subjectError = page.getByTestId('error-steps[0].subject')
    await subjectError.waitFor()
    expect(await page.getByLabel('Subject', { exact: true }).getAttribute('aria-invalid')).toBe('true')

    await page.getByLabel('Subject', { exact: true }).fill('Payment problem, ')
    await page.getByLabel('Variable for subject').selectOption('customer.name')
    await page.getByRole('button', { name: 'Insert variable into subject' }).click()
    expect(await page.getByLabel('Subject', { exact: true }).inputValue()).toBe('Payment problem, {{ customer.name }}')
    await page.getByLabel('Next step').selectOption('update_customer')
    await page.getByRole('button', { name: 'Add step' }).click()
    await page.getByLabel('Add tags').fill(tag)
    await page.getByRole('button', { name: 'Save as draft' }).click()

    await page.getByText(/Workflow saved \(version \d+\)/).waitFor()
    expect(await subjectError.count()).toBe(0)
    workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')
    expect(workflowId).not.toBe('')
    // The live preview renders the saved email against the sample event.
    await page.getByTestId('preview').getByText('Payment problem, Ada Lovelace').first().waitFor()
    await shot('03-builder-draft')

    await page.getByRole('button', { name: 'Activate' }).click()
    await page.getByText(/Workflow activated/).waitFor()
    await page.getByTestId('status').filter({ hasText: 'active' }).first().waitFor()

    await page.setViewportSize({ width: 390, height: 844 })
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
    expect(overflow).toBeLessThanOrEqual(0)
    await shot('04-builder-phone')
    await page.setViewportSize({ width: 1280, height: 900 })
  }, 120_000)

  it('starts exactly one run, for the selected product only', async () => {
    const forAlpha = await paymentFailed(`evt_e2e_1_${suffix}`, `cus_e2e_ada_${suffix}`, 'Ada Lovelace', alpha.id)
    const forBeta = await paymentFailed(`evt_e2e_2_${suffix}`, `cus_e2e_grace_${suffix}`, 'Grace Hopper', beta.id)
    expect(forAlpha.status).toBe(202)
    expect(forBeta.status).toBe(202)
    expect((forAlpha.body.runs as unknown[]).length).toBe(1)
    expect((forBeta.body.runs as unknown[]).length).toBe(0)

    await nav('Runs')
    await page.getByLabel('Workflow').selectOption(workflowId)
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await eventually(async () => expect(await page.getByTestId('run-row').count()).toBe(1), 'one run listed')
    await shot('05-runs')

    await page.getByTestId('run-row').getByRole('link').first().click()
    const emailStep = page.getByTestId('timeline-step-send-email-1')
    await emailStep.getByTestId('status').filter({ hasText: 'completed' }).waitFor()
    await page.getByTestId('timeline-step-update-customer-1').getByTestId('status').filter({ hasText: 'completed' }).waitFor()
    await page.getByTestId('message-subject').filter({ hasText: 'Payment problem, Ada Lovelace' }).waitFor()
    await shot('06-run')

    // People, not ids: the run names its customer.
    await page.getByRole('link', { name: 'Ada Lovelace', exact: true }).first().click()
    await page.getByTestId('customer-tags').getByText(tag).waitFor()
    await shot('07-customer')
  }, 120_000)

  it('pauses the workflow, after which a matching event starts no run', async () => {
    await nav('Workflows')
    await page.getByRole('link', { name: wfName, exact: true }).click()
    await page.getByRole('button', { name: 'Pause' }).click()
    await page.getByText(/Workflow paused/).waitFor()
    await page.getByTestId('status').filter({ hasText: 'paused' }).first().waitFor()

    const again = await paymentFailed(`evt_e2e_3_${suffix}`, `cus_e2e_ada_${suffix}`, 'Ada Lovelace', alpha.id)
    expect(again.status).toBe(202)
    expect((again.body.runs as unknown[]).length).toBe(0)

    await nav('Runs')
    await page.getByLabel('Workflow').selectOption(workflowId)
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await eventually(async () => expect(await page.getByTestId('run-row').count()).toBe(1), 'still one run listed')
  }, 120_000)

  it('returns to sign-in with a clear message when the key stops working', async () => {
    await page.evaluate("sessionStorage.setItem('recoup.apiKey', 'revoked-key')")
    await nav('Customers')
    await page.getByText('Your API key was not accepted (HTTP 401)').waitFor()
    await page.getByLabel('API key').fill(srv.apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Sign out' }).waitFor()
  }, 60_000)

  it('shows messages and analytics', async () => {
    await nav('Messages')
    await page.getByTestId('message').filter({ hasText: 'Payment problem, Ada Lovelace' }).first().waitFor()
    await shot('08-messages')
    await nav('Analytics')
    await page.getByRole('heading', { name: 'Analytics', level: 1 }).waitFor()
    // Totals when the analytics endpoint answers, otherwise its error shown as an alert; never a blank page.
    await page.getByTestId('analytics-totals').or(page.getByRole('alert')).first().waitFor()
    await shot('09-analytics')
    await nav('Workflows')
    await page.getByRole('link', { name: wfName, exact: true }).waitFor()
    await shot('10-workflows')
  }, 60_000)
  let templateWfId = ''
  it('creates a workflow from a starter template: copy, choose a product, save', async () => {
    await nav('Workflows')
    await page.getByRole('link', { name: 'New workflow' }).click()
    await page.getByRole('heading', { name: 'Start from a template' }).waitFor()
    await shot('11-new-workflow-templates')
    await phoneShot('11b-templates-phone')
    await page.getByRole('button', { name: 'Use template: Failed payment recovery' }).click()
    await page.getByText('Copied from the template “Failed payment recovery”').waitFor()
    // The template's steps are in the builder, with the retry explained.
    expect(await page.getByLabel('Retry schedule (optional)').inputValue()).toBe('')
    await page.getByText('Hard declines', { exact: false }).first().waitFor()
    await page.getByLabel('Name', { exact: true }).fill(templateWfName)
    await page.getByLabel('Search products').fill('Gamma')
    await page.getByRole('checkbox', { name: new RegExp(gamma.name) }).check()
    await page.getByRole('button', { name: 'Save and activate' }).click()
    // The template's example address cannot go live: it says so beside the field, in words.
    const summary = page.getByTestId('error-summary')
    await summary.getByText('Not activated yet: fix this first').waitFor()
    await summary.getByText(/Step \d+ \(alert-finance\): to/).waitFor()
    await page.getByText('finance@example.com is the template’s example address').first().waitFor()
    await shot('12a-builder-example-address')
    // A typo is caught as it is typed.
    const teamAddress = page.getByLabel('Team email address')
    await teamAddress.fill('finance at acme')
    await page.getByText('“finance at acme” is not an email address').first().waitFor()
    await teamAddress.fill('finance@acme-billing.test')
    await page.getByRole('button', { name: 'Save and activate' }).click()
    await page.getByText(/Workflow activated/).waitFor()
    templateWfId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '')
    const saved = await api('GET', `/v1/workflows/${encodeURIComponent(templateWfId)}`)
    expect(saved.body.trigger).toMatchObject({ type: 'payment.failed', products: [gamma.id] })
    expect((saved.body.steps as { type: string }[]).map((st) => st.type)).toContain('retry_payment')
    await shot('12-builder-from-template')
    // Leaving with unsaved changes asks first.
    await page.getByLabel('Name', { exact: true }).fill(`${templateWfName} (edited)`)
    await page.getByTestId('unsaved').waitFor()
    const asked: string[] = []
    page.once('dialog', (d) => {
      asked.push(d.message())
      void d.dismiss()
    })
    await nav('Runs')
    expect(asked[0]).toContain('unsaved changes')
    expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe(`${templateWfName} (edited)`)
    await page.getByLabel('Name', { exact: true }).fill(templateWfName)
    expect(await page.getByTestId('unsaved').count()).toBe(0)
  }, 120_000)

  it('shows why a run waits: the next payment retry, with the step outputs in words', async () => {
    const res = await paymentFailed(`evt_e2e_wait_${suffix}`, `cus_e2e_linus_${suffix}`, 'Linus Torvalds', gamma.id)
    expect(res.status).toBe(202)
    const runId = (res.body.runs as { id: string }[])[0]!.id
    await page.goto(`${srv.url}/runs/${encodeURIComponent(runId)}`)
    const waiting = page.getByTestId('run-waiting')
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click()
      await waiting.getByText('Waiting for the next payment retry').waitFor({ timeout: 1000 })
    }, 'the run to wait for its payment retry')
    expect(await page.getByTestId('waiting-reason').textContent()).toMatch(/first payment retry \(card_declined\) at/)
    const retry = page.getByTestId('timeline-step-smart-retry')
    await retry.getByTestId('step-output').getByText('Retries made').waitFor()
    await retry.getByText('Next retry').waitFor()
    await shot('13-run-waiting')
    await phoneShot('13b-run-waiting-phone')
  }, 120_000)

  it('says once when a wait step wakes', async () => {
    const epsilon = { id: `prod_e2e_epsilon_${suffix}`, name: `E2E Epsilon plan ${suffix}` }
    expect((await api('POST', '/v1/products', epsilon)).status).toBe(201)
    const wf = await api('POST', '/v1/workflows', {
      name: `E2E wait ${suffix}`, status: 'active', trigger: { type: 'payment.failed', products: [epsilon.id] },
      steps: [{ id: 'give-it-time', type: 'wait', duration: 'P3D' }],
    })
    expect(wf.status).toBe(201)
    const res = await paymentFailed(`evt_e2e_pause_${suffix}`, `cus_e2e_alan_${suffix}`, 'Alan Turing', epsilon.id)
    const runId = (res.body.runs as { id: string }[])[0]!.id
    await page.goto(`${srv.url}/runs/${encodeURIComponent(runId)}`)
    const step = page.getByTestId('timeline-step-give-it-time')
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click()
      await step.getByTestId('step-waiting').waitFor({ timeout: 1000 })
    }, 'the wait step to show when it wakes')
    expect(await step.getByText('Waiting until').count()).toBe(1)
  }, 120_000)

  it('adds a webhook endpoint, shows its secret once, and lists its deliveries', async () => {
    await nav('Webhooks')
    await page.getByRole('heading', { name: 'Webhook endpoints', level: 1 }).waitFor()
    await page.getByLabel('URL', { exact: true }).fill('ftp://nope')
    await page.getByRole('button', { name: 'Add endpoint' }).click()
    await page.getByTestId('error-url').waitFor()
    await page.getByLabel('URL', { exact: true }).fill(`http://hooks.recoup-e2e.invalid/recoup-${suffix}`)
    await page.getByLabel('Description (optional)').fill('Finance data warehouse')
    await page.getByRole('checkbox', { name: /run\.exited/ }).check()
    await page.getByRole('button', { name: 'Add endpoint' }).click()
    const secret = page.getByTestId('endpoint-secret')
    await secret.waitFor()
    expect(await page.getByLabel(/Signing secret of/).inputValue()).toMatch(/^whsec_/)
    await page.getByTestId('endpoint-row').filter({ hasText: 'Finance data warehouse' }).waitFor()
    await shot('14-webhooks')
    await phoneShot('14b-webhooks-phone')
    await page.getByRole('button', { name: 'I have stored it' }).click()
    expect(await secret.count()).toBe(0)
    // Linus pays: the template run exits, and the endpoint gets a run.exited delivery (which fails:
    // the .invalid name never resolves; a literal private address would be refused on save).
    const paid = await api('POST', '/v1/events', {
      id: `evt_e2e_linus_paid_${suffix}`, type: 'payment.succeeded', customer: { id: `cus_e2e_linus_${suffix}` }, product_ids: [gamma.id],
      payment: { id: `pay_e2e_linus_paid_${suffix}`, amount: 4900, currency: 'USD', subscription_id: `sub_cus_e2e_linus_${suffix}` },
    })
    expect(paid.status).toBe(202)
    await page.getByRole('button', { name: /^Deliveries of/ }).click()
    await eventually(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click()
      await page.getByTestId('delivery-row').filter({ hasText: 'run.exited' }).waitFor({ timeout: 1000 })
    }, 'a run.exited delivery listed')
    await shot('14c-webhook-deliveries')
    // The secret is never listed again.
    const listed = await api('GET', '/v1/webhook-endpoints')
    expect(JSON.stringify(listed.body)).not.toContain('whsec_')
  }, 120_000)

  it('shows a customer’s subscriptions and installment plans', async () => {
    const plan = await api('POST', '/v1/events', {
      id: `evt_e2e_plan_${suffix}`, type: 'installment_plan.canceled',
      customer: { id: `cus_e2e_barbara_${suffix}`, email: 'barbara@example.com', name: 'Barbara Liskov' },
      product_ids: [delta.id],
      installment_plan: { id: `plan_e2e_${suffix}`, installments_total: 6, installments_paid: 2, installment_amount: 10000, currency: 'USD', balance_due: 40000, reason: 'customer_request' },
    })
    expect(plan.status).toBe(202)
    await page.goto(`${srv.url}/customers/${encodeURIComponent(`cus_e2e_linus_${suffix}`)}`)
    await page.getByTestId('subscription-row').filter({ hasText: `sub_cus_e2e_linus_${suffix}` }).getByText('active').waitFor()
    await page.goto(`${srv.url}/customers/${encodeURIComponent(`cus_e2e_barbara_${suffix}`)}`)
    const card = page.getByTestId('plan').filter({ hasText: `plan_e2e_${suffix}` })
    await card.getByText('$400.00').waitFor()
    await card.getByText('2 of 6').waitFor()
    await shot('15-customer-plan')
    await nav('Customers')
    await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor()
    await shot('16-customers')
  }, 120_000)

  it('shows non-zero analytics after a failed payment and its recovery', async () => {
    const customer = { id: `cus_e2e_edsger_${suffix}`, email: 'edsger@example.com', name: 'Edsger Dijkstra' }
    const payment = { amount: 123456, currency: 'USD', subscription_id: `sub_e2e_edsger_${suffix}`, invoice_id: `in_e2e_edsger_${suffix}` }
    const failed = await api('POST', '/v1/events', {
      id: `evt_e2e_an_fail_${suffix}`, type: 'payment.failed', occurred_at: new Date(Date.now() - 3_600_000).toISOString(), customer, product_ids: [delta.id],
      payment: { ...payment, id: `pay_e2e_an_1_${suffix}`, failure_code: 'insufficient_funds', attempt: 1 },
    })
    const paid = await api('POST', '/v1/events', {
      id: `evt_e2e_an_paid_${suffix}`, type: 'payment.succeeded', occurred_at: new Date().toISOString(), customer, product_ids: [delta.id],
      payment: { ...payment, id: `pay_e2e_an_2_${suffix}` },
    })
    expect(failed.status).toBe(202)
    expect(paid.status).toBe(202)

    await nav('Analytics')
    const recovered = page.getByTestId('stat-recovered')
    await recovered.waitFor()
    const text = async () => (await recovered.textContent()) ?? ''
    expect(await text()).not.toBe('$0.00')
    expect(await text()).toMatch(/\$1,234\.56|\$[\d,]+\.\d\d/)
    expect(await page.getByTestId('stat-rate').textContent()).not.toBe('0%')
    expect(await page.getByTestId('stat-ttr').textContent()).toMatch(/hour|minute|second/)
    await page.getByRole('list', { name: 'Recovery rate by product' }).getByText(delta.name).waitFor()
    await page.getByRole('list', { name: 'Recovery rate by decline code' }).getByText('insufficient_funds').waitFor()
    await shot('17-analytics-recovered')
    await phoneShot('17b-analytics-phone')
  }, 120_000)

  it('screenshots the remaining main pages', async () => {
    await nav('Products')
    await page.getByRole('cell', { name: gamma.id }).waitFor()
    await shot('18-products')
    await nav('Runs')
    await page.getByTestId('run-row').first().waitFor()
    await shot('19-runs-all')
    await phoneShot('19b-runs-phone')
    await nav('Messages')
    await page.getByTestId('message').first().waitFor()
    await phoneShot('20-messages-phone')
    await nav('Workflows')
    await page.getByRole('link', { name: templateWfName, exact: true }).waitFor()
    await shot('21-workflows')
    await phoneShot('21b-workflows-phone')
  }, 120_000)

  // ---- What billing staff see and do: outcomes named by money, runs they can fix, phone layouts ----

  const zeta = { id: `prod_e2e_zeta_${suffix}`, name: `E2E Zeta plan ${suffix}` }
  const eta = { id: `prod_e2e_eta_${suffix}`, name: `E2E Eta plan ${suffix}` }
  const theta = { id: `prod_e2e_theta_${suffix}`, name: `E2E Theta plan ${suffix}` }
  /** Background colour of an element, as the browser computed it. */
  const background = (locator: ReturnType<Page['locator']>) =>
    locator.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)
  const GREEN = 'rgb(230, 246, 236)'
  const RED = 'rgb(254, 243, 242)'
  const runIdOf = (res: { body: Record<string, unknown> }) => (res.body.runs as { id: string }[])[0]!.id
  const runStatus = async (id: string) => (await api('GET', `/v1/runs/${encodeURIComponent(id)}`)).body as { status: string; outcome: string | null; steps: { id: string; status: string }[] }

  it('names outcomes by money, in words and colours: recovered green, not recovered red', async () => {
    for (const p of [zeta, eta, theta]) expect((await api('POST', '/v1/products', p)).status).toBe(201)
    expect((await api('POST', '/v1/workflows', {
      name: `E2E patient recovery ${suffix}`, status: 'active', trigger: { type: 'payment.failed', products: [zeta.id] },
      steps: [{ id: 'pause', type: 'wait', duration: 'P3D' }],
    })).status).toBe(201)
    expect((await api('POST', '/v1/workflows', {
      name: `E2E one reminder ${suffix}`, status: 'active', trigger: { type: 'payment.failed', products: [eta.id] },
      steps: [{ id: 'tag-it', type: 'update_customer', add_tags: ['reminded'] }],
    })).status).toBe(201)
    const paid = runIdOf(await paymentFailed(`evt_e2e_out_paid_${suffix}`, `cus_e2e_katherine_${suffix}`, 'Katherine Johnson', zeta.id))
    const lost = runIdOf(await paymentFailed(`evt_e2e_out_lost_${suffix}`, `cus_e2e_dorothy_${suffix}`, 'Dorothy Vaughan', eta.id))
    await eventually(async () => expect((await runStatus(paid)).status).toBe('waiting'), 'the run to wait')
    await eventually(async () => expect((await runStatus(lost)).status).toBe('completed'), 'the one-step run to complete')
    expect((await api('POST', '/v1/events', {
      id: `evt_e2e_out_paid2_${suffix}`, type: 'payment.succeeded', customer: { id: `cus_e2e_katherine_${suffix}` }, product_ids: [zeta.id],
      payment: { id: `pay_e2e_out_${suffix}`, amount: 4900, currency: 'USD', subscription_id: `sub_cus_e2e_katherine_${suffix}` },
    })).status).toBe(202)

    await nav('Runs')
    const rowOf = (name: string) => page.getByTestId('run-row').filter({ hasText: name })
    const recovered = rowOf('Katherine Johnson').getByTestId('outcome')
    await recovered.filter({ hasText: 'Recovered' }).waitFor()
    expect(await background(recovered)).toBe(GREEN)
    const notRecovered = rowOf('Dorothy Vaughan').getByTestId('outcome')
    await notRecovered.filter({ hasText: 'Not recovered' }).waitFor()
    expect(await background(notRecovered)).toBe(RED)
    // The technical status is still there, in grey beside it.
    expect(await rowOf('Katherine Johnson').getByTestId('status').textContent()).toBe('exited')
    expect(await rowOf('Dorothy Vaughan').getByTestId('status').textContent()).toBe('completed')
    await rowOf('Dorothy Vaughan').getByText(`E2E one reminder ${suffix}`).waitFor()
    await shot('22-runs-outcomes')
    await phoneShot('22b-runs-outcomes-phone')

    // Filter by outcome.
    await page.getByLabel('Outcome').selectOption('recovered')
    await page.getByRole('button', { name: 'Apply filters' }).click()
    await eventually(async () => expect(await page.getByTestId('run-row').filter({ hasText: 'Not recovered' }).count()).toBe(0), 'only recovered runs listed')
    await rowOf('Katherine Johnson').waitFor()

    await rowOf('Katherine Johnson').getByRole('link').first().click()
    const ending = page.getByTestId('run-ending')
    await ending.getByText('The customer paid').waitFor()
    expect(await background(ending)).toBe('rgb(236, 253, 243)')
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Katherine Johnson')
    // The wait in progress stopped with the run: nothing says "waiting" any more.
    await page.getByTestId('timeline-step-pause').getByTestId('status').filter({ hasText: 'skipped' }).waitFor()
    expect(await page.getByTestId('step-waiting').count()).toBe(0)
    await shot('23-run-recovered')
    await phoneShot('23b-run-recovered-phone')
  }, 120_000)

  it('marks a waiting run as paid from the run page, with the amount and a note', async () => {
    const runId = runIdOf(await paymentFailed(`evt_e2e_mp_${suffix}`, `cus_e2e_mary_${suffix}`, 'Mary Jackson', zeta.id))
    await eventually(async () => expect((await runStatus(runId)).status).toBe('waiting'), 'the run to wait')
    await page.goto(`${srv.url}/runs/${encodeURIComponent(runId)}`)
    await page.getByTestId('outcome').filter({ hasText: 'In progress' }).waitFor()
    await page.getByRole('button', { name: 'Mark as paid' }).click()
    const amount = page.getByLabel('Amount received (USD)')
    // Focus goes to the form, prefilled with what is due, in dollars.
    await eventually(async () => expect(await amount.evaluate((el) => el === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true), 'focus on the amount')
    expect(await amount.inputValue()).toBe('49.00')
    await amount.fill('$49')
    await page.getByLabel('Note (optional)').fill('Paid by bank transfer, ref. 7781')
    await page.getByLabel('Your name (optional)').fill('Jane Billing')
    await shot('24-run-mark-paid-form')
    await phoneShot('24b-run-mark-paid-form-phone')
    await page.getByRole('button', { name: 'Record payment' }).click()
    await page.getByTestId('outcome').filter({ hasText: 'Recovered' }).waitFor()
    await page.getByTestId('run-ending').getByText('Marked as paid by Jane Billing').waitFor()
    const run = await runStatus(runId)
    expect(run).toMatchObject({ status: 'exited', outcome: 'recovered' })
    const payments = (await api('GET', `/v1/payments?customer_id=cus_e2e_mary_${suffix}&status=succeeded`)).body.data as { amount: number; source: string }[]
    expect(payments).toEqual([expect.objectContaining({ amount: 4900, source: 'staff' })])
    await shot('25-run-marked-paid')
  }, 120_000)

  it('marks a run as paid from the customer page', async () => {
    const runId = runIdOf(await paymentFailed(`evt_e2e_mpc_${suffix}`, `cus_e2e_annie_${suffix}`, 'Annie Easley', zeta.id))
    await eventually(async () => expect((await runStatus(runId)).status).toBe('waiting'), 'the run to wait')
    await page.goto(`${srv.url}/customers/${encodeURIComponent(`cus_e2e_annie_${suffix}`)}`)
    const row = page.getByTestId('customer-run')
    await row.getByTestId('outcome').filter({ hasText: 'In progress' }).waitFor()
    await row.getByRole('button', { name: 'Mark as paid' }).click()
    await page.getByRole('button', { name: 'Record payment' }).click()
    await row.getByTestId('outcome').filter({ hasText: 'Recovered' }).waitFor()
    await page.getByTestId('subscription-row').getByText('active').waitFor()
    await shot('26-customer-marked-paid')
    await phoneShot('26b-customer-phone')
  }, 120_000)

  it('skips the step a run waits on; the run goes on and the skip is recorded', async () => {
    const runId = runIdOf(await paymentFailed(`evt_e2e_skip_${suffix}`, `cus_e2e_evelyn_${suffix}`, 'Evelyn Boyd', zeta.id))
    await eventually(async () => expect((await runStatus(runId)).status).toBe('waiting'), 'the run to wait')
    await page.goto(`${srv.url}/runs/${encodeURIComponent(runId)}`)
    await page.getByRole('button', { name: 'Skip this step' }).click()
    await page.getByLabel('Why (optional)').fill('Customer asked us not to wait')
    await page.getByRole('button', { name: 'Skip step', exact: true }).click()
    const step = page.getByTestId('timeline-step-pause')
    await step.getByTestId('status').filter({ hasText: 'skipped' }).waitFor()
    await step.getByTestId('step-output').getByText('Customer asked us not to wait').waitFor()
    await step.getByTestId('step-output').getByText(/^Jane Billing/).waitFor()
    await eventually(async () => expect((await runStatus(runId)).status).toBe('completed'), 'the run to go on and complete')
    await page.getByRole('button', { name: 'Refresh' }).click()
    await page.getByTestId('outcome').filter({ hasText: 'Not recovered' }).waitFor()
    await shot('27-run-step-skipped')
  }, 120_000)

  it('retries a failed run on the fixed, latest version of its workflow', async () => {
    const hits = { broken: 0, fixed: 0 }
    const endpoint: Server = createHttpServer((req, res) => {
      req.resume()
      req.on('end', () => {
        if (req.url?.includes('fixed')) hits.fixed++
        else hits.broken++
        res.writeHead(req.url?.includes('fixed') ? 200 : 410).end()
      })
    })
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', () => r()))
    const hookUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}`
    try {
      const wf = {
        name: `E2E alert then tag ${suffix}`, status: 'active', trigger: { type: 'payment.failed', products: [theta.id] },
        steps: [{ id: 'call-crm', type: 'webhook', url: `${hookUrl}/broken` }, { id: 'tag-it', type: 'update_customer', add_tags: ['crm-called'] }],
      }
      const created = await api('POST', '/v1/workflows', wf)
      expect(created.status).toBe(201)
      const wfId = created.body.id as string
      const runId = runIdOf(await paymentFailed(`evt_e2e_rl_${suffix}`, `cus_e2e_margaret_${suffix}`, 'Margaret Hamilton', theta.id))
      await eventually(async () => expect((await runStatus(runId)).status).toBe('failed'), 'the run to fail on the broken endpoint')
      expect((await api('PUT', `/v1/workflows/${encodeURIComponent(wfId)}`, { ...wf, steps: [{ ...wf.steps[0], url: `${hookUrl}/fixed` }, wf.steps[1]] })).status).toBe(200)

      await page.goto(`${srv.url}/runs/${encodeURIComponent(runId)}`)
      await page.getByTestId('outcome').filter({ hasText: 'Not recovered' }).waitFor()
      await page.getByRole('button', { name: 'Retry on v1' }).waitFor()
      await shot('28-run-failed-retry-latest')
      await page.getByRole('button', { name: 'Retry on latest version (v2)' }).click()
      await page.getByText('Run moved to version 2').waitFor()
      await eventually(async () => expect((await runStatus(runId)).status).toBe('completed'), 'the run to complete on v2')
      expect(hits.fixed).toBe(1)
      await page.getByRole('button', { name: 'Refresh' }).click()
      await page.getByTestId('timeline-step-call-crm').getByTestId('status').filter({ hasText: 'completed' }).waitFor()
      await page.getByText('(v2)').first().waitFor()
    } finally {
      await new Promise<void>((r) => endpoint.close(() => r()))
    }
  }, 120_000)

  it('lays out runs and workflows as cards at 390 px', async () => {
    await nav('Runs')
    await page.getByTestId('run-row').first().waitFor()
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      const display = await page.getByTestId('run-row').first().evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display)
      expect(display).toBe('block')
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      expect(overflow).toBeLessThanOrEqual(0)
      await shot('29-runs-cards-phone')
      await nav('Workflows')
      const wfRow = page.locator('[data-testid^="workflow-row-"]').first()
      await wfRow.waitFor()
      expect(await wfRow.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display)).toBe('block')
      await shot('30-workflows-cards-phone')
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 })
    }
  }, 120_000)

  it('takes a condition amount as money: "$10.00" is stored as 1000 and shown in words', async () => {
    const created = await api('POST', '/v1/workflows', {
      name: `E2E big payments ${suffix}`, status: 'draft', trigger: { type: 'payment.failed', products: [theta.id] },
      steps: [{ id: 'tag-it', type: 'update_customer', add_tags: ['big'] }],
    })
    const wfId = created.body.id as string
    await page.goto(`${srv.url}/workflows/${encodeURIComponent(wfId)}`)
    await page.getByRole('button', { name: 'Add condition' }).click()
    await page.getByLabel('Condition 1 field').fill('payment.amount')
    await page.getByLabel('Operator').selectOption('gte')
    const amount = page.getByLabel('Amount (USD)', { exact: true })
    await amount.fill('10 dollars and change')
    await page.getByText('is not an amount').first().waitFor()
    await page.getByRole('button', { name: 'Save as draft' }).click()
    // Refused by the API, beside the field, in words.
    await page.getByTestId('error-trigger.conditions[0].value').getByText('not an amount').waitFor()
    await amount.fill('$10.00')
    await page.getByText('$10.00, stored as 1000 (minor units).').waitFor()
    await page.getByTestId('conditions-in-words').getByText('amount ≥ $10.00').waitFor()
    // The preview follows the unsaved condition, and says which one a smaller payment fails.
    const previewAmount = page.getByLabel('Sample amount (USD)')
    await previewAmount.fill('5.00')
    await page.getByTestId('preview-match').getByText('amount ≥ $10.00 does not hold (it is $5.00)').waitFor()
    await previewAmount.fill('49.00')
    await page.getByTestId('preview-match').getByText('This event would start a run.').waitFor()
    await page.getByRole('button', { name: 'Save as draft' }).click()
    await page.getByText(/Workflow saved \(version 2\)/).waitFor()
    const saved = await api('GET', `/v1/workflows/${encodeURIComponent(wfId)}`)
    expect((saved.body.trigger as { conditions: unknown[] }).conditions).toEqual([{ field: 'payment.amount', op: 'gte', value: 1000 }])
    // Read back as money, not as 1000.
    await page.reload()
    expect(await page.getByLabel('Amount (USD)', { exact: true }).inputValue()).toBe('10.00')
    await shot('31-builder-amount-condition')
    await nav('Workflows')
    await page.getByTestId(`workflow-row-${wfId}`).getByTestId('workflow-conditions').getByText('when amount ≥ $10.00').waitFor()

    // Steps that may fail without stopping the run, and changes undone once the money is in.
    await page.getByTestId(`workflow-row-${wfId}`).getByRole('link', { name: `E2E big payments ${suffix}`, exact: true }).click()
    await page.getByLabel('Next step').selectOption('update_customer')
    await page.getByRole('button', { name: 'Add step' }).click()
    // The keyboard follows: focus is in the new step, not left on the button.
    const newStep = page.getByTestId('step-steps[1]')
    await eventually(async () => expect(await newStep.evaluate((el) => el.contains((globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement as never))).toBe(true), 'focus in the new step')
    await newStep.getByLabel('Add tags').fill('at-risk')
    await newStep.getByRole('checkbox', { name: /Undo these changes when the money is recovered/ }).check()
    await newStep.getByLabel('If this step fails after its retries').selectOption('continue')
    await page.getByRole('button', { name: 'Save as draft' }).click()
    await page.getByText(/Workflow saved \(version 3\)/).waitFor()
    const steps = (await api('GET', `/v1/workflows/${encodeURIComponent(wfId)}`)).body.steps as Record<string, unknown>[]
    expect(steps[1]).toMatchObject({ type: 'update_customer', add_tags: ['at-risk'], until: 'recovered', on_error: 'continue' })
    await shot('32-builder-step-options')
  }, 120_000)

  it('previews the workflow as it is typed, beside the steps, before any save', async () => {
    await nav('Workflows')
    await page.getByRole('link', { name: 'New workflow' }).click()
    await page.getByRole('heading', { name: 'Start from a template' }).waitFor()
    await page.getByRole('button', { name: 'Add step' }).click()
    const subject = page.getByLabel('Subject', { exact: true })
    await subject.fill('Hello {{ customer.name }}, about your payment')
    const preview = page.getByTestId('preview')
    await preview.getByText('Hello Ada Lovelace, about your payment').first().waitFor()
    await subject.fill('Still due, {{ customer.name }}')
    await preview.getByText('Still due, Ada Lovelace').first().waitFor()
    // Beside the steps on a wide screen, not below them.
    const box = await page.locator('.builder-preview').boundingBox()
    const form = await page.locator('form.builder').boundingBox()
    expect(box!.x).toBeGreaterThan(form!.x + form!.width - 1)
    await shot('33-builder-live-preview')
    await page.setViewportSize({ width: 390, height: 844 })
    try {
      const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
      expect(overflow).toBeLessThanOrEqual(0)
      await shot('33b-builder-live-preview-phone')
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 })
    }
    // Leaving now asks first; this time the answer is yes.
    page.once('dialog', (d) => void d.accept())
    await nav('Workflows')
    await page.getByRole('heading', { name: 'Workflows', level: 1 }).waitFor()
  }, 120_000)

  it('takes durations in words, and archives and unarchives a workflow', async () => {
    await nav('Workflows')
    await page.getByRole('link', { name: `E2E big payments ${suffix}`, exact: true }).click()
    await page.getByLabel('Next step').selectOption('wait')
    await page.getByRole('button', { name: 'Add step' }).click()
    const waitFor = page.getByLabel('Wait for')
    await waitFor.fill('3 days')
    await page.getByText('Saved as P3D: 3 days.').waitFor()
    await page.getByRole('button', { name: 'Save as draft' }).click()
    await page.getByText(/Workflow saved \(version 4\)/).waitFor()
    const url = new URL(page.url())
    const wfId = decodeURIComponent(url.pathname.split('/').pop() ?? '')
    const steps = (await api('GET', `/v1/workflows/${encodeURIComponent(wfId)}`)).body.steps as Record<string, unknown>[]
    expect(steps.at(-1)).toMatchObject({ type: 'wait', duration: 'P3D' })

    page.once('dialog', (d) => void d.accept())
    await page.getByRole('button', { name: 'Archive' }).click()
    await page.getByRole('heading', { name: 'Archived workflows', level: 1 }).waitFor()
    const row = page.getByTestId(`archived-row-${wfId}`)
    await row.waitFor()
    expect((await api('GET', `/v1/workflows/${encodeURIComponent(wfId)}`)).status).toBe(404)
    await shot('34-workflows-archived')
    await row.getByRole('button', { name: 'Unarchive' }).click()
    await page.getByRole('heading', { name: `E2E big payments ${suffix}` }).waitFor()
    await page.getByTestId('status').filter({ hasText: 'paused' }).first().waitFor()
  }, 120_000)
})

