// Validation messages for people. zod's own messages are written for programmers ("Too small:
// expected string to have >=1 characters"); the schemas' custom messages are kept as they are.
import type { z } from 'zod'

type Issue = z.core.$ZodIssue

const KIND_WORDS: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list', object: 'an object', date: 'a date',
}

/** The field a path names, in words: `trigger.conditions[0].value` → "value", `add_tags` → "add tags". */
function fieldWords(path: readonly PropertyKey[]): string {
  const last = [...path].reverse().find((p) => typeof p === 'string')
  return typeof last === 'string' ? last.replace(/_/g, ' ') : 'this field'
}

/** zod's default messages start so; a schema's own message never does. */
const DEFAULT_MESSAGE = /^(Too small|Too big|Invalid input|Invalid option|Unrecognized keys?|Invalid (URL|email address|ISO datetime|string|number|element|key|union)\b)/

/**
 * The issue's message for people. `subject` names what is being saved ("workflow", "product") so a
 * missing name reads "Give the product a name".
 */
export function issueMessage(issue: Issue, subject?: string): string {
  if (!DEFAULT_MESSAGE.test(issue.message)) return issue.message
  const field = fieldWords(issue.path)
  const i = issue as Issue & { origin?: string; minimum?: number | bigint; maximum?: number | bigint; expected?: string; input?: unknown; values?: unknown[]; keys?: string[]; format?: string }
  switch (issue.code) {
    case 'too_small':
      if (i.origin === 'string' && Number(i.minimum) <= 1) return field === 'name' ? `Give the ${subject ?? 'item'} a name` : `Fill in the ${field}`
      if (i.origin === 'string') return `Use at least ${i.minimum} characters`
      if (i.origin === 'array' || i.origin === 'set') return Number(i.minimum) <= 1 ? `Add at least one to ${field}` : `Add at least ${i.minimum} to ${field}`
      if (Number(i.minimum) === 0) return 'Cannot be negative'
      return `Use ${i.minimum} or more`
    case 'too_big':
      if (i.origin === 'string') return `Keep it to ${i.maximum} characters or fewer`
      if (i.origin === 'array' || i.origin === 'set') return `At most ${i.maximum} items`
      return `Use ${i.maximum} or less`
    case 'invalid_type':
      if (i.input === undefined) return field === 'name' ? `Give the ${subject ?? 'item'} a name` : `Fill in the ${field}`
      if (i.expected === 'int') return 'Use a whole number'
      return `Use ${KIND_WORDS[i.expected ?? ''] ?? i.expected} here`
    case 'invalid_value':
      if ((i.values?.length ?? 0) === 1) return `Must be ${JSON.stringify(i.values![0])}`
      return `Choose one of: ${(i.values ?? []).map((v) => String(v)).join(', ')}`
    case 'invalid_format':
      if (i.format === 'url') return 'Use a full web address, such as https://hooks.example.com/recoup'
      if (i.format === 'email') return 'Use an email address, such as billing@yourcompany.com'
      if (i.format === 'datetime') return 'Use a date and time such as 2026-11-21T10:00:00Z'
      return issue.message
    case 'unrecognized_keys':
      return `Unknown field${(i.keys?.length ?? 0) > 1 ? 's' : ''} ${(i.keys ?? []).map((k) => `"${k}"`).join(', ')}: check the spelling, or leave ${(i.keys?.length ?? 0) > 1 ? 'them' : 'it'} out`
    default:
      return issue.message
  }
}
