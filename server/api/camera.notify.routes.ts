import express, { Router, type RequestHandler } from 'express';
import { authorize, type Authorizer } from '../auth/authorize.js';
import type { NotifyInbox } from '../cameras/camera.notify.js';
import { decodeReply } from '../cameras/onvif.charset.js';
import { NOTIFY_LIMITS } from '../cameras/onvif.notify.js';

/**
 * The inbound end of ONVIF base notification: cameras POST Notify messages to
 * /onvif/notify/<token>, the secret of one subscription. Outside /api (no session cookie, no
 * JSON): a camera is no browser, and its address is the only thing it knows. Unknown tokens
 * get a bare 404, so the URL space tells a scanner nothing; the body is read raw (any
 * Content-Type, since firmware labels SOAP anyhow) up to the Notify bound, then 413.
 */
export function cameraNotifyRoutes(d: { authorizer: Authorizer; inbox: NotifyInbox }): Router {
  const r = Router();
  // An unknown token is answered before its body is read (a scanner costs a hash, not a parse);
  // a declared oversized body is refused first, like on every other route.
  const known: RequestHandler = (req, res, next) => {
    if (Number(req.get('content-length') ?? 0) > NOTIFY_LIMITS.maxBytes)
      return next(Object.assign(new Error('body too large'), { type: 'entity.too.large', status: 413 }));
    if (d.inbox.knows(String(req.params.token))) return next();
    res.status(404).end();
  };
  const raw = express.raw({ type: () => true, limit: NOTIFY_LIMITS.maxBytes });
  r.post('/onvif/notify/:token', authorize(d.authorizer, 'camera.notify'), known, raw, (req, res) => {
    const body = Buffer.isBuffer(req.body) ? decodeReply(req.body, req.get('content-type') ?? '') : '';
    const out = d.inbox.receive(String(req.params.token), body);
    if (out.status === 'unknown') return void res.status(404).end();
    if (out.status === 'flooding') return void res.status(429).set('Retry-After', '10').end();
    if (out.status === 'refused') return void res.status(400).type('text/plain').send('unreadable Notify');
    res.status(200).end();
  });
  return r;
}
