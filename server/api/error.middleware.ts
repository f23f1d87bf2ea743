import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';

export interface ErrorBody {
  error: { code: string; message: string; field?: string; params?: Record<string, unknown> };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  const body: ErrorBody = { error: { code: 'route_not_found', message: `no route ${req.method} ${req.path}` } };
  res.status(404).json(body);
};

/** Every error becomes `{error: {code, message, field?, params?}}`; internals are logged, not sent. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const body = toErrorBody(err);
    const status = err instanceof AppError ? err.status : (httpStatusOf(err) ?? 500);
    if (status >= 500) log.error('request failed', { method: req.method, path: req.path, err });
    if (res.headersSent) return;
    res.status(status).json(status >= 500 && !(err instanceof AppError) ? { error: { code: 'internal', message: 'internal error' } } : body);
  };
}

function httpStatusOf(err: unknown): number | undefined {
  const e = err as { status?: number; statusCode?: number; type?: string };
  const s = e?.status ?? e?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : undefined;
}

function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof AppError) {
    return { error: { code: err.code, message: err.message, ...err.details } };
  }
  // body-parser errors: malformed JSON, too large, bad charset
  const e = err as { type?: string; message?: string };
  const code =
    e?.type === 'entity.parse.failed'
      ? 'invalid_json'
      : e?.type === 'entity.too.large'
        ? 'body_too_large'
        : e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported'
          ? 'unsupported_encoding'
          : 'bad_request';
  return { error: { code, message: e?.message ?? 'bad request' } };
}
