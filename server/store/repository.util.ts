/** Shared row helpers for repositories: JSON columns are text, booleans come back as 0/1 on SQLite. */
export const toJson = (v: unknown): string => JSON.stringify(v ?? null);

export function fromJson<T>(v: unknown, fallback: T): T {
  if (typeof v !== 'string') return (v as T) ?? fallback;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
}

/** A nullable BIGINT column as a number (pg returns int8 as a string unless parsed). */
export const toNumberOrNull = (v: number | string | null | undefined): number | null => (v === null || v === undefined ? null : Number(v));

export const toBool = (v: unknown): boolean => v === true || v === 1 || v === '1';

/** Inserts a row and returns its id on both SQLite and PostgreSQL. */
export async function insertReturningId(q: { insert(row: object, returning: string): Promise<unknown[]> }, row: object): Promise<number> {
  const [first] = await q.insert(row, 'id');
  return typeof first === 'object' && first !== null ? Number((first as { id: number }).id) : Number(first);
}
