import { z } from 'zod';

/**
 * Whole numbers in paths and queries, written only the canonical decimal way: z.coerce.number
 * (Number()) also accepts 0x1, 1.0, +1, 1e3 and " 1", so one thing had many names (issue 12).
 */
export function decimalInt(min: number, max: number) {
  const pattern = min > 0 ? /^[1-9]\d{0,15}$/ : /^(0|[1-9]\d{0,15})$/;
  const message = min > 0 ? 'must be a positive whole number written in decimal digits' : 'must be a whole number written in decimal digits';
  return z
    .union([z.number(), z.string().regex(pattern, message).transform(Number)])
    .pipe(z.number().int(message).min(min).max(max).refine(Number.isSafeInteger, message));
}

/** A database id in a path: 1 … 2^31 − 1. */
export const idParams = z.object({ id: decimalInt(1, 2 ** 31 - 1) }).strict();
