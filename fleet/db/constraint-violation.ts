// PostgreSQL reports a unique-constraint violation as SQLSTATE 23505; pg and PGlite both
// expose it as `code` on the thrown error.
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** SQLSTATE 23503: a foreign key points at a row that does not exist (or no longer does). */
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23503';
}

/** SQLSTATE 23001: a row could not be deleted because an ON DELETE RESTRICT foreign key still points at it. */
export function isRestrictViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23001';
}
