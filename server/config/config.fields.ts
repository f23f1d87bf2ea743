import { z } from 'zod';
import { parseRange } from '../shared/address.ranges.js';

// Env vars arrive as strings; config files as JSON. These accept both without the
// surprises of z.coerce (Boolean("false") === true).
export const int = (min: number, max: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().int().min(min).max(max));
export const num = (min: number, max: number) => z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().min(min).max(max));
export const bool = () =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    return v;
  }, z.boolean());
export const list = () =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(z.string().min(1)),
  );

/** An object given in an env var as JSON text; left as it is when it does not parse (the schema then says why). */
export const jsonObject = (v: unknown) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
};

/** A list of address ranges (CIDR), each checked. */
export const ranges = () =>
  list().superRefine((entries, ctx) => {
    entries.forEach((entry, i) => {
      try {
        parseRange(entry);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
      }
    });
  });
