/**
 * Errors a user sees carry a stable `code` (translated by the UI), optional `params`
 * for the translation and the `field` at fault. The message is for logs and CLI users.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly details: { field?: string; params?: Record<string, unknown> } = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, id: unknown) => new AppError('not_found', `${what} ${String(id)} not found`, 404, { params: { what, id } });
export const forbidden = (action: string) => new AppError('forbidden', `not allowed: ${action}`, 403, { params: { action } });
