#!/usr/bin/env node
// Starts the CLI. dist/recoup.mjs (built by `npm install` or `npm run build:server`) starts fast;
// when it is missing or older than any file under src/ (someone edited the code since), the
// TypeScript sources run through tsx instead, so what runs is always the code on disk.
import { readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const bundle = join(root, 'dist', 'recoup.mjs')

/** The newest modification time of any file under `dir`. */
function newest(dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newest(join(root, 'src'))
  } catch {
    return false
  }
}

if (process.env.RECOUP_FROM_SOURCE !== 'true' && bundleIsFresh()) {
  // Stack traces point at src/*.ts lines (the bundle carries its source map).
  process.setSourceMapsEnabled(true)
  await import(pathToFileURL(bundle).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href)
}
