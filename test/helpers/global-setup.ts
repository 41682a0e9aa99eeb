import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { dropDeadRunSchemas, startTestRun, TEST_RUN_ENV } from './pg.js'
import { ROOT } from './server.js'

/**
 * Builds dist/recoup.mjs from the sources under test, so the processes the suite starts through
 * bin/recoup.js run exactly this code the way users do. On PostgreSQL, starts this suite run (an
 * id in TEST_RUN_ENV that forked workers inherit, its lock held until teardown) and drops the
 * schemas of runs that have ended; schemas of runs still going are left alone.
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-server.mjs'), '--quiet'], { stdio: 'inherit' })
  const url = process.env.TEST_DATABASE_URL
  if (!url) return undefined
  const run = await startTestRun(url)
  process.env[TEST_RUN_ENV] = String(run.id)
  await dropDeadRunSchemas(url)
  return () => run.end()
}
