import { describe, expect, it } from 'vitest';
import { AuditAggregator } from '../../../server/auth/audit.aggregate.js';
import type { AuditLog, AuditRecord } from '../../../server/auth/audit.log.js';
import { silentLogger } from '../../../server/shared/log.js';

function setup(maxKeys = 3) {
  const rows: AuditRecord[] = [];
  const audit = {
    record: async (r: AuditRecord) => {
      rows.push(r);
      return {} as never;
    },
    flush: async () => undefined,
  } as unknown as AuditLog;
  let t = 1000;
  const agg = new AuditAggregator(audit, () => t++, silentLogger, { windowMs: 60_000, maxKeys });
  return { rows, agg };
}

describe('AuditAggregator', () => {
  it('writes the first refusal of a key at once and the rest as one counted row per window', async () => {
    const { rows, agg } = setup();
    for (let i = 0; i < 50; i++)
      agg.note('refused|ip|10.0.0.1', { action: 'auth.login.refused', ip: '10.0.0.1', detail: { scope: 'ip' } }, `10.0.0.1 user${i % 4}`);
    expect(rows).toHaveLength(1);
    await agg.flush();
    expect(rows).toHaveLength(2);
    expect(rows[1]).toMatchObject({ action: 'auth.login.refused', ip: '10.0.0.1', detail: { scope: 'ip', count: 49 } });
    expect((rows[1]!.detail as { samples: string[] }).samples.sort()).toEqual(['10.0.0.1 user0', '10.0.0.1 user1', '10.0.0.1 user2', '10.0.0.1 user3']);
    agg.note('refused|ip|10.0.0.1', { action: 'auth.login.refused', ip: '10.0.0.1' });
    expect(rows).toHaveLength(3); // a new window writes the first one at once again
  });

  it('keeps the number of rows bounded when every refusal has its own key, and counts them all', async () => {
    const { rows, agg } = setup(3);
    for (let i = 0; i < 1000; i++) agg.note(`denied|${i}`, { action: 'access.denied', ip: `10.0.${i >> 8}.${i & 255}` });
    await agg.flush();
    expect(rows.length).toBe(4);
    const total = rows.reduce((n, r) => n + ((r.detail as { count?: number } | undefined)?.count ?? 1), 0);
    expect(total).toBe(1000);
    expect(rows[3]).toMatchObject({ action: 'access.denied', detail: { overflow: true, count: 997 } });
  });
});
