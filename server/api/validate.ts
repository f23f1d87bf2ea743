import type { z } from 'zod';
import { AppError } from '../shared/errors.js';

/** Parses API input; a failure names the field (body.name, query.limit …) and the reason. */
export function parse<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'params'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].join('.'),
    reason: i.message,
    ...(i.code === 'unrecognized_keys' ? { keys: i.keys } : {}),
  }));
  const first = issues[0]!;
  const field = 'keys' in first && Array.isArray(first.keys) && first.keys.length ? `${first.field}.${String(first.keys[0])}` : first.field;
  return failValidation(field, first.reason, issues);
}

function failValidation(field: string, reason: string, issues: unknown[]): never {
  throw new AppError('validation', `${field}: ${reason}`, 400, { field, params: { reason, issues } });
}
