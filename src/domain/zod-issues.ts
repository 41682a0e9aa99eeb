import type { z } from 'zod'
import type { FieldIssue } from './errors.js'
import { issueMessage } from './issue-words.js'

/** Formats a zod path as `steps[2].subject`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`
    else out += out ? `.${String(seg)}` : String(seg)
  }
  return out
}

/** Turns zod issues into field issues for people, each path prefixed with `prefix`; `subject` names what is saved. */
export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = [], subject?: string): FieldIssue[] {
  return error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]) || '(body)', message: issueMessage(i, subject) }))
}
