// The builder's live preview in real Chromium against the real server: the starter workflow's
// email as the customer sees it, in sandboxed frames at 600 px and 375 px, for each sample case
// and customer language; the SMS with its segment count, its link counted as a real short link.
// Screenshots in test-artifacts/email/ (git-ignored).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { STARTER_WORKFLOWS } from '../src/workflows/starters.js'
import { ROOT, startServer, type RunningServer } from './helpers/server.js'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const ARTIFACTS = join(ROOT, 'test-artifacts', 'email')

function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = join(dir, e.name)
    return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }, 0)
}

/** Builds web/ into dist/web when the build is missing or older than the sources. */
function ensureDashboardBuilt(): void {
  const index = join(ROOT, 'dist', 'web', 'index.html')
  if (existsSync(index) && statSync(index).mtimeMs >= newest(join(ROOT, 'web', 'src'))) return
  execFileSync('npm', ['run', 'build'], { cwd: join(ROOT, 'web'), stdio: 'inherit' })
}

describe.skipIf(!existsSync(CHROMIUM))('builder preview in Chromium', () => {
  let srv: RunningServer
  let browser: Browser
  let page: Page
  const workflowId = 'wf_preview_starter'

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    ensureDashboardBuilt()
    srv = await startServer({ env: { RECOUP_BUSINESS_NAME: 'Acme Cloud', RECOUP_BRAND_COLOR: '#0f766e' } })
    expect((await srv.api('POST', '/v1/products', { id: 'prod_pro', name: 'Pro plan' })).status).toBe(201)
    const { id: _id, ...starter } = STARTER_WORKFLOWS.find((w) => w.trigger.type === 'payment.failed')!
    const created = await srv.api('POST', '/v1/workflows', { ...starter, id: workflowId, trigger: { ...starter.trigger, products: ['prod_pro'] } })
    expect(created.status).toBe(201)
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    page.setDefaultTimeout(30_000)
    await page.goto(srv.url)
    await page.getByLabel('API key').fill(srv.apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Workflows', level: 1 }).waitFor()
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await srv?.stop()
  })

  /** The email frames of the first email step in the preview. */
  const frames = () => page.getByTestId('email-preview').first().locator('iframe')

  it('shows the email at 600 px and 375 px in sandboxed frames, and the SMS with its segments', async () => {
    await page.goto(`${srv.url}/workflows/${workflowId}`)
    const preview = page.getByTestId('preview')
    await frames().first().waitFor()
    expect(await frames().count()).toBe(2)
    expect(await frames().nth(0).getAttribute('width')).toBe('600')
    expect(await frames().nth(1).getAttribute('width')).toBe('375')
    expect(await frames().nth(0).getAttribute('sandbox')).toBe('')
    const desktop = page.frameLocator('[data-testid="email-preview"] iframe >> nth=0')
    await desktop.getByText("Your Pro plan payment didn't go through").first().waitFor()
    await desktop.getByText('Acme Cloud').first().waitFor()
    expect(await desktop.locator('td.rc-button a').textContent()).toContain('Update card')
    const sms = preview.getByTestId('sms-preview-counter')
    await expect.poll(() => sms.textContent()).toMatch(/^\d+ characters · 1 segment · GSM-7$/)
    const units = Number(/^(\d+)/.exec((await sms.textContent()) ?? '')![1])
    // The link in the SMS is as long as a real short link.
    const body = await preview.locator('.message-body').last().textContent()
    expect(body).toMatch(new RegExp(`${srv.url.replace(/\./g, '\\.')}/l/[0-9A-Za-z]{16}$`))
    expect(units).toBe(body!.length)
    await page.getByTestId('email-preview').first().screenshot({ path: join(ARTIFACTS, 'builder-preview.png') })
  }, 60_000)

  it('renders each sample case in the customer’s language', async () => {
    await page.getByLabel('Sample case').selectOption({ label: 'Insufficient funds' })
    await page.getByLabel('Customer language').selectOption('de')
    const desktop = page.frameLocator('[data-testid="email-preview"] iframe >> nth=0')
    await expect.poll(() => desktop.locator('body').textContent(), { timeout: 30_000 }).toContain('Ihre Zahlung für Pro plan ist nicht durchgegangen')
    expect(await desktop.locator('td.rc-button a').textContent()).toContain('Andere Karte verwenden')
    await page.getByLabel('Sample case').selectOption({ label: 'Expired or replaced card' })
    await page.getByLabel('Customer language').selectOption('es')
    await expect.poll(() => desktop.locator('body').textContent(), { timeout: 30_000 }).toContain('Actualiza tu tarjeta para Pro plan')
    const phone = page.frameLocator('[data-testid="email-preview"] iframe >> nth=1')
    await expect.poll(() => phone.locator('td.rc-button a').textContent(), { timeout: 30_000 }).toContain('Actualizar tarjeta')
    await expect.poll(() => page.getByTestId('sms-preview-counter').textContent()).toContain('1 segment · GSM-7')
    await page.getByTestId('email-preview').first().screenshot({ path: join(ARTIFACTS, 'builder-preview-es.png') })
  }, 60_000)

  it('the SMS counter in the form counts links as short links and warns about two segments or UCS-2', async () => {
    const counter = page.getByTestId('sms-counter').first()
    await counter.waitFor()
    expect(await counter.textContent()).toContain('1 segment')
    const message = page.locator('.step-form', { has: page.getByTestId('sms-counter') }).locator('textarea').first()
    await message.fill('Tu pago está pendiente: {{ links.update_payment }}')
    await expect.poll(() => page.getByTestId('sms-warning').first().textContent()).toMatch(/UCS-2.*Characters: á/)
    await message.fill(`${'Your payment is still due. '.repeat(5)}{{ links.update_payment }}`)
    await expect.poll(() => page.getByTestId('sms-warning').first().textContent()).toMatch(/needs 2 segments/)
  }, 60_000)
})
