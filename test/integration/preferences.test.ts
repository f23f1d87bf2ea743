import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dbTargets } from '../support/db.js';
import type { TestServer } from '../support/server.js';
import { addUser, call, login, startAuthServer } from './auth.world.js';

/**
 * Issue 15: the wall's layout is kept per user on the server (SQLite and PostgreSQL), so it
 * follows the officer to another screen; a bad value is refused naming the field, and one
 * user's choice is not another's.
 */
for (const target of dbTargets) {
  describe(`own preferences (${target.name})`, () => {
    let srv: TestServer;
    let cleanup: () => Promise<void>;

    beforeAll(async () => {
      const t = await target.open();
      cleanup = t.cleanup;
      srv = await startAuthServer({}, { databaseUrl: t.url });
      await addUser(srv, 'canbo', ['police']);
      await addUser(srv, 'kythuat', ['technician']);
    });
    afterAll(async () => {
      await srv?.stop();
      await cleanup?.();
    });

    it('saves the wall layout per user, refuses bad values by field, and needs a sign-in', async () => {
      const police = await login(srv, 'canbo');
      const tech = await login(srv, 'kythuat');
      expect((await call(srv, 'GET', '/api/me/preferences', { cookie: police })).body).toEqual({});

      const saved = await call(srv, 'PATCH', '/api/me/preferences', { cookie: police, body: { wallLayout: 9 } });
      expect(saved).toMatchObject({ status: 200, body: { wallLayout: 9 } });
      await call(srv, 'PATCH', '/api/me/preferences', { cookie: tech, body: { wallLayout: 'fill' } });
      // A second sign-in (another screen) reads the same choice; the other user's stays theirs.
      const again = await login(srv, 'canbo');
      expect((await call(srv, 'GET', '/api/me/preferences', { cookie: again })).body).toEqual({ wallLayout: 9 });
      expect((await call(srv, 'GET', '/api/me/preferences', { cookie: tech })).body).toEqual({ wallLayout: 'fill' });

      const bad = await call<{ error: { code: string; field: string; message: string } }>(srv, 'PATCH', '/api/me/preferences', {
        cookie: police,
        body: { wallLayout: 5 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ field: 'body.wallLayout' });
      expect(bad.body.error.message).toMatch(/1, 4, 9, 16 or "fill"/);
      const unknown = await call<{ error: { field: string } }>(srv, 'PATCH', '/api/me/preferences', { cookie: police, body: { wallLayot: 4 } });
      expect(unknown).toMatchObject({ status: 400, body: { error: { field: 'body.wallLayot' } } });
      expect((await call(srv, 'GET', '/api/me/preferences', { cookie: police })).body).toEqual({ wallLayout: 9 });

      expect((await call(srv, 'GET', '/api/me/preferences')).status).toBe(401);
      expect((await call(srv, 'PATCH', '/api/me/preferences', { body: { wallLayout: 4 } })).status).toBe(401);
    });
  });
}
