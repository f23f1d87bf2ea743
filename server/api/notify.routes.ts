import { Router } from 'express';
import { z } from 'zod';
import { authorize, principalOf, type Authorizer } from '../auth/authorize.js';
import { NOTIFICATION_KINDS } from '../domain/notification.js';
import type { NotifyAdmin } from '../notify/notify.admin.js';
import { notifyRulesSchema, type NotifyRulesService } from '../notify/notify.rules.js';
import type { PushSubscriptions } from '../notify/webpush.subscriptions.js';
import { decimalInt, idParams } from './params.js';
import { parse } from './validate.js';

export interface NotifyRoutesDeps {
  authorizer: Authorizer;
  admin: NotifyAdmin;
  rules: NotifyRulesService;
  push: PushSubscriptions;
}

const kinds = z.array(z.enum(NOTIFICATION_KINDS)).max(NOTIFICATION_KINDS.length);
const endpointBody = z
  .object({ name: z.string().trim().min(1).max(100), url: z.string().trim().min(1).max(2000), kinds: kinds.optional(), enabled: z.boolean().optional() })
  .strict();
const pushBody = z
  .object({
    endpoint: z.string().trim().min(1).max(2000),
    keys: z
      .object({
        p256dh: z.string().regex(/^[A-Za-z0-9_-]{80,100}$/, 'must be a P-256 public key (base64url)'),
        auth: z.string().regex(/^[A-Za-z0-9_-]{16,24}$/, 'must be 16 bytes (base64url)'),
      })
      .strict(),
    expirationTime: z.number().nullable().optional(),
  })
  .strict();
const pageQuery = z.object({ limit: decimalInt(1, 500).default(100), offset: decimalInt(0, 1_000_000).default(0) }).strict();

/** Notifications (issue 14): the admin's channels, webhook endpoints and dead letters; every user's own rules. */
export function notifyRoutes(d: NotifyRoutesDeps): Router {
  const r = Router();
  const admin = authorize(d.authorizer, 'notify.admin');

  r.get('/api/notify/channels', admin, async (_req, res) => res.json(await d.admin.channels()));
  r.get('/api/notify/endpoints', admin, async (_req, res) => res.json({ items: await d.admin.endpoints() }));
  r.post('/api/notify/endpoints', admin, async (req, res) => {
    const body = parse(endpointBody, req.body, 'body');
    res.status(201).json(await d.admin.createEndpoint(body, principalOf(req).userId ?? null));
  });
  r.patch('/api/notify/endpoints/:id', admin, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    res.json(await d.admin.updateEndpoint(id, parse(endpointBody.partial(), req.body, 'body')));
  });
  r.delete('/api/notify/endpoints/:id', admin, async (req, res) => {
    await d.admin.deleteEndpoint(parse(idParams, req.params, 'params').id);
    res.status(204).end();
  });
  r.post('/api/notify/endpoints/:id/test', admin, async (req, res) => res.json(await d.admin.testEndpoint(parse(idParams, req.params, 'params').id)));
  r.get('/api/notify/endpoints/:id/log', admin, async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    res.json({ items: await d.admin.endpointLog(id, parse(pageQuery, req.query, 'query').limit) });
  });
  r.get('/api/notify/dead-letters', admin, async (req, res) => {
    const q = parse(pageQuery, req.query, 'query');
    res.json({ items: await d.admin.deadLetters(q.limit, q.offset) });
  });
  r.post('/api/notify/deliveries/:id/retry', admin, async (req, res) => {
    await d.admin.retry(parse(idParams, req.params, 'params').id);
    res.status(204).end();
  });

  const own = authorize(d.authorizer, 'notify.rules');
  r.get('/api/notify/rules', own, async (req, res) => res.json(await d.rules.rulesOf(principalOf(req))));
  r.get('/api/notify/push/key', own, (_req, res) => res.json({ publicKey: d.push.publicKey }));
  r.post('/api/notify/push/subscriptions', own, async (req, res) => {
    const body = parse(pushBody, req.body, 'body');
    res.status(201).json(await d.push.subscribe(principalOf(req).userId!, body));
  });
  r.delete('/api/notify/push/subscriptions', own, async (req, res) => {
    await d.push.unsubscribe(principalOf(req).userId!, parse(pushBody.pick({ endpoint: true }), req.body, 'body').endpoint);
    res.status(204).end();
  });
  r.put('/api/notify/rules', own, async (req, res) => res.json(await d.rules.save(principalOf(req), parse(notifyRulesSchema, req.body, 'body'))));
  return r;
}
