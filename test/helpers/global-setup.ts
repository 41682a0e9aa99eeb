import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { withPgClient } from './pg.js'
import { ROOT } from './server.js'

/**
 * Builds dist/recoup.mjs from the sources under test, so the processes the suite starts through
 * bin/recoup.js run exactly this code the way users do; then drops the per-file schemas earlier
 * runs left in the test database, so its catalog stays small.
 */
export default async function setup(): Promise<void> {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-server.mjs'), '--quiet'], { stdio: 'inherit' })
  const url = process.env.TEST_DATABASE_URL
  if (!url) return
  await withPgClient(url, async (client) => {
    const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 't\\_%'`)
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`)
  })
}
