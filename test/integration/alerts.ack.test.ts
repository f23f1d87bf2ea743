import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../server/domain/socket.events.js';
import { PROJECT_ROOT } from '../../server/version.js';
import type { TestServer } from '../support/server.js';
import { addIdleCamera, addUser, call, login, startAuthServer } from './auth.world.js';

/**
 * Issue 15: an acknowledge took 26 s on a busy server. SQLite has one connection; every query
 * issued on its own waits behind the whole queue of the detection path's writes, and the
 * acknowledge issued ~23 of them one after another (session 5, authorize 1, the change's
 * transaction, then the camera and event twice more and the alert's detail). Now it waits three
 * times: the session lookup, authorize's read and the change (one transaction each). This file
 * counts those waits through knex's query events (the connection turns a request takes) and
 * measures the answer with a queue held full by a background reader (a measurement printed and
 * written to test-output/, not a timed assertion).
 */
describe('acknowledge, assign and resolve wait for the database connection three times (SQLite)', () => {
  let srv: TestServer;
  let cookie: string;
  let cameraId: number;
  let officerId: number;

  beforeAll(async () => {
    srv = await startAuthServer();
    await addUser(srv, 'canbo', ['police']);
    officerId = (await addUser(srv, 'canbo.hai', ['police'])).id;
    cookie = await login(srv, 'canbo');
    cameraId = (await addIdleCamera(srv.store, null, 'Cổng chợ')).id;
  });
  afterAll(async () => {
    await srv?.stop();
  });

  const raise = async () => {
    const at = Date.now();
    const { alert } = await srv.events.events.alerts.createEventWithAlert(
      {
        cameraId,
        areaId: null,
        trackId: `t${at}`,
        label: 'person',
        score: 0.9,
        box: null,
        zones: [],
        startAt: at,
        lastSeenAt: at,
        bestAt: null,
        visibility: 'internal',
      },
      'normal',
      at,
    );
    return alert!.id;
  };
  const change = (id: number, body: Record<string, unknown>) => call<{ alert: AlertMessage }>(srv, 'POST', `/api/alerts/${id}/state`, { cookie, body });

  /**
   * Connection turns the request took while `fn` ran: SQLite's one connection runs queries in
   * order, so a BEGIN…COMMIT run is one turn and any other query is one. Other work is left
   * out: the notification workers' polls, the health ping, the audit entry written after the
   * answer (and the COMMIT of the previous request's). Before the fix this counted 14.
   */
  async function turnsOf(fn: () => Promise<unknown>): Promise<number> {
    const sqls: string[] = [];
    const onQuery = (q: { sql: string }) => sqls.push(q.sql);
    const db = srv.store.db as Knex;
    db.on('query', onQuery);
    try {
      await fn();
    } finally {
      db.off('query', onQuery);
    }
    const turns: string[][] = [];
    let open: string[] | undefined;
    for (const sql of sqls) {
      if (sql === 'BEGIN;') turns.push((open = []));
      else if (open && /^(COMMIT|ROLLBACK)/.test(sql)) open = undefined;
      else if (open) open.push(sql);
      else turns.push([sql]);
    }
    const others = (t: string[]) => t.some((sql) => sql.includes('audit_log')) || t.every((sql) => /`notify_|^select 1$|^(COMMIT|ROLLBACK)/.test(sql));
    return turns.filter((t) => !others(t)).length;
  }

  it('answers each change with the alert as it now is, after three connection turns', async () => {
    const id = await raise();
    let reply: Awaited<ReturnType<typeof change>> | undefined;
    expect(await turnsOf(async () => (reply = await change(id, { state: 'acknowledged' })))).toBeLessThanOrEqual(3);
    expect(reply!.status).toBe(200);
    expect(reply!.body.alert).toMatchObject({ id, state: 'acknowledged', cameraName: 'Cổng chợ', label: 'person' });

    expect(await turnsOf(async () => (reply = await change(id, { state: 'assigned', assigneeId: officerId, note: 'Anh Hai ra xem' })))).toBeLessThanOrEqual(3);
    expect(reply!.body.alert).toMatchObject({ state: 'assigned', assigneeId: officerId });

    expect(await turnsOf(async () => (reply = await change(id, { state: 'resolved' })))).toBeLessThanOrEqual(3);
    expect(reply!.body.alert.state).toBe('resolved');
    expect(reply!.body.alert.closedAt).not.toBeNull();
    // What the answer said is what the database holds.
    const stored = await call<{ alert: AlertMessage; history: { toState: string }[] }>(srv, 'GET', `/api/alerts/${id}`, { cookie });
    expect(stored.body.alert).toEqual(reply!.body.alert);
    expect(stored.body.history.map((h) => h.toState)).toEqual(['new', 'acknowledged', 'assigned', 'resolved']);
  });

  it('measures an acknowledge behind a queue held 40 queries deep (printed, and in test-output/ack-backlog.json)', async () => {
    const db = srv.store.db as Knex;
    let stop = false;
    // The detection path's writes, as a queue that never drains: 40 reads in flight at all times.
    const reader = async () => {
      while (!stop) await db('cameras').where({ id: cameraId }).first();
    };
    const readers = Array.from({ length: 40 }, reader);
    const samplesMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await raise();
      const t0 = performance.now();
      const reply = await change(id, { state: 'acknowledged' });
      samplesMs.push(Math.round(performance.now() - t0));
      expect(reply.status).toBe(200);
    }
    stop = true;
    await Promise.all(readers);
    // The same queue, one lone read: what each wait costs.
    const t0 = performance.now();
    await db('cameras').where({ id: cameraId }).first();
    const oneReadMs = performance.now() - t0;
    const sorted = [...samplesMs].sort((a, b) => a - b);
    const result = { queueDepth: 40, samplesMs, medianMs: sorted[2], maxMs: sorted[4], oneReadMs: Math.round(oneReadMs * 10) / 10 };
    const out = path.join(PROJECT_ROOT, 'test-output');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'ack-backlog.json'), JSON.stringify(result, null, 2) + '\n');
    console.log(`acknowledge behind a 40-deep SQLite queue: median ${result.medianMs} ms, max ${result.maxMs} ms (${samplesMs.join(', ')})`);
    expect(samplesMs).toHaveLength(5);
  });
});
