/** A field-level problem, reported to API callers as `errors[]` in problem+json. */
export interface FieldIssue {
  readonly path: string
  readonly message: string
}

/** Base class: every error we raise on purpose has a stable `code`. */
export class RecoupError extends Error {
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/** Input that does not satisfy a schema or a business rule; lists each bad field. */
export class ValidationError extends RecoupError {
  readonly issues: readonly FieldIssue[]
  constructor(message: string, issues: readonly FieldIssue[], options?: { cause?: unknown }) {
    super('validation_failed', message, options)
    this.issues = issues
  }
}

/** The thing asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends RecoupError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${JSON.stringify(id)} does not exist`)
  }
}

/** The request conflicts with the current state (e.g. cancel a finished run). */
export class ConflictError extends RecoupError {
  constructor(message: string) {
    super('conflict', message)
  }
}

/** The caller is not authenticated. */
export class UnauthorizedError extends RecoupError {
  constructor(message = 'A valid API key is required: send "Authorization: Bearer <key>".') {
    super('unauthorized', message)
  }
}

/** Another process owns the resource (e.g. the SQLite file). */
export class ResourceBusyError extends RecoupError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('resource_busy', message, options)
  }
}

/** Configuration is missing or malformed; the message says which setting. */
export class ConfigError extends RecoupError {
  constructor(message: string) {
    super('config_invalid', message)
  }
}

/** An action failed and trying again will not help (bad address, 5xx from SMTP, hard decline). */
export class PermanentError extends RecoupError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permanent_failure', message, options)
  }
}

/** An action failed for now; try again, no sooner than `afterMs` when given. */
export class RetryLaterError extends RecoupError {
  readonly afterMs: number | undefined
  constructor(message: string, options?: { afterMs?: number; cause?: unknown }) {
    super('retry_later', message, options)
    this.afterMs = options?.afterMs
  }
}
