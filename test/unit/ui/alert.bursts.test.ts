import { describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../../server/domain/socket.events.js';
import { BURST_MAX_SPAN_MS, groupBursts } from '../../../ui/src/realtime/alert.bursts.js';

const alert = (id: number, cameraId: number | null, startedAt: number, kind: AlertMessage['kind'] = 'object'): AlertMessage => ({
  id,
  kind,
  severity: 'normal',
  state: 'new',
  cameraId,
  cameraName: cameraId === null ? null : `Cổng ${cameraId}`,
  areaId: 1,
  eventId: kind === 'object' ? id : null,
  label: 'person',
  score: 0.8,
  zones: [],
  visibility: 'internal',
  assigneeId: null,
  startedAt,
  createdAt: startedAt,
  updatedAt: startedAt,
  closedAt: null,
  snapshotUrl: null,
});
const shape = (alerts: AlertMessage[]) => groupBursts(alerts).map((b) => [b.head.id, ...b.rest.map((a) => a.id)]);

describe('groupBursts (one card per burst of alerts on the wall)', () => {
  it('folds a burst of one camera into one card headed by its first alert, placed where its newest is', () => {
    const list = [alert(5, 1, 10_900), alert(4, 2, 10_800), alert(3, 1, 10_500), alert(2, 1, 10_000), alert(1, 2, -60_000)];
    expect(shape(list)).toEqual([[2, 5, 3], [4], [1]]);
    expect(groupBursts(list)[0]!.spanMs).toBe(900);
  });

  it('chains alerts each within the gap, and starts a new card after a quiet spell', () => {
    const list = [alert(4, 1, 100_000), alert(3, 1, 80_000), alert(2, 1, 60_000), alert(1, 1, 20_000)];
    expect(shape(list)).toEqual([[2, 4, 3], [1]]);
  });

  it('never lets one burst run longer than its span limit', () => {
    const list = Array.from({ length: 30 }, (_, i) => alert(30 - i, 1, (30 - i) * 20_000));
    const bursts = groupBursts(list);
    expect(bursts.length).toBeGreaterThan(1);
    for (const b of bursts) expect(b.spanMs).toBeLessThanOrEqual(BURST_MAX_SPAN_MS);
    expect(bursts.flatMap((b) => [...b.rest, b.head]).map((a) => a.id)).toEqual(list.map((a) => a.id));
  });

  it('keeps camera-offline and server alerts as cards of their own', () => {
    const list = [alert(3, 1, 1_200, 'camera_offline'), alert(2, 1, 1_100, 'camera_offline'), alert(1, null, 1_000, 'disk_low')];
    expect(shape(list)).toEqual([[3], [2], [1]]);
  });
});
