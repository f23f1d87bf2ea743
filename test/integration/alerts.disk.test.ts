import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HealthBody } from '../../server/api/health.routes.js';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { dbTargets } from '../support/db.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { addUser, call, login, openSocket } from './auth.world.js';
import { waitFor } from './ingest.helpers.js';

/**
 * Issue 19 item 2: below the free-space floor the police saw one warning in a log. Now the
 * recordings disk going low is a system alert on every police wall (no camera), raised once
 * per episode and resolved by the system when space is back, while health says `degraded`
 * because of the disk. The real statfs is read; the floor is moved above and below it.
 */
for (const target of dbTargets) {
  describe(`the recordings disk below its floor raises a system alert (${target.name})`, () => {
    let srv: TestServer;
    let cleanup: () => Promise<void>;
    let socket: Socket;
    let cookie: string;
    const created: AlertMessage[] = [];
    const updated: AlertMessage[] = [];

    beforeAll(async () => {
      const t = await target.open();
      cleanup = t.cleanup;
      srv = await startTestServer({ databaseUrl: t.url, retention: { minFreeGb: 0.001 }, auth: { scryptLog2N: 10 } });
      await addUser(srv, 'canbo', ['police']);
      cookie = await login(srv, 'canbo');
      socket = await openSocket(srv, { cookie });
      socket.on('alert:new', (a: AlertMessage) => created.push(a));
      socket.on('alert:updated', (a: AlertMessage) => updated.push(a));
      await socket.timeout(5000).emitWithAck('alerts:subscribe', { afterId: 0 });
    });
    afterAll(async () => {
      socket?.close();
      await srv?.stop();
      await cleanup?.();
    });

    const health = async () => (await call<HealthBody>(srv, 'GET', '/api/health')).body;
    const diskAlerts = async () => (await call<{ items: AlertMessage[] }>(srv, 'GET', '/api/alerts?kind=disk_low', { cookie })).body.items;
    const setFloor = async (gb: number) => {
      srv.config.retention.minFreeGb = gb;
      await srv.retention.sweep();
    };

    it('raises one alert per episode, keeps health degraded with the reason disk, and resolves it when space is back', async () => {
      expect((await health()).reasons).not.toContain('disk');
      expect(await diskAlerts()).toEqual([]);

      await setFloor(1_000_000); // a floor no disk meets
      const alert = await waitFor('alert:new for the disk', () => created.find((a) => a.kind === 'disk_low'), 5000, 20);
      expect(alert).toMatchObject({ kind: 'disk_low', state: 'new', severity: 'high', cameraId: null, cameraName: null, visibility: 'internal' });
      const h = await health();
      expect(h).toMatchObject({ status: 'degraded', disk: { state: 'low' } });
      expect(h.reasons).toContain('disk');
      expect(h.disk.message).toMatch(/below the 1000000\.00 GB floor/);
      const detail = await call<{ history: { toState: string; note: string | null }[] }>(srv, 'GET', `/api/alerts/${alert.id}`, { cookie });
      expect(detail.body.history[0]!.note).toMatch(/free disk space .* is below the 1000000\.00 GB floor/);

      // Still low: more sweeps, and a next run's first report, raise nothing new.
      await setFloor(2_000_000);
      srv.bus.emit('disk.state', { state: 'low', message: 'again', freeBytes: 0, minFreeBytes: 1, at: Date.now() });
      await srv.events.events.alerts.raiseDiskLow('once more', Date.now()); // the path a restart would take
      expect((await diskAlerts()).map((a) => a.id)).toEqual([alert.id]);

      await setFloor(0.001);
      const resolved = await waitFor('alert:updated resolving it', () => updated.find((a) => a.id === alert.id && a.state === 'resolved'), 5000, 20);
      expect(resolved.closedAt).not.toBeNull();
      const after = await health();
      expect(after.disk.state).toBe('ok');
      expect(after.reasons).not.toContain('disk');

      // The next episode is a new alert.
      await setFloor(1_000_000);
      const second = await waitFor('a second disk alert', () => created.find((a) => a.kind === 'disk_low' && a.id !== alert.id), 5000, 20);
      expect((await diskAlerts()).map((a) => [a.id, a.state])).toEqual([
        [second.id, 'new'],
        [alert.id, 'resolved'],
      ]);
      expect(created.filter((a) => a.kind === 'disk_low')).toHaveLength(2);
    });
  });
}
