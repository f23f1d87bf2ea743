import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler, type Router } from 'express';
import { securityHeaders, verifyUtf8Body } from '../auth/security.middleware.js';
import { errorHandler, notFoundHandler } from './error.middleware.js';
import type { Logger } from '../shared/log.js';

export interface AppOptions {
  routers: Router[];
  log: Logger;
  /** Built UI (vite build output); served with an SPA fallback when present. */
  uiDir?: string;
  jsonLimit?: string;
  /** express 'trust proxy' (config auth.trustProxy): whose X-Forwarded-For/-Proto to believe. */
  trustProxy?: boolean | number | string;
  /** Every request, before the body is read (auth module: URL checks, Origin check, session, audit). */
  before?: RequestHandler[];
  /** /api requests after the JSON body is parsed, before the routers (auth module: body key checks). */
  afterBody?: RequestHandler[];
}

/** The express app: JSON API under /api, the built UI everywhere else. Handlers live in *.routes.ts. */
export function createApp({ routers, log, uiDir, jsonLimit = '256kb', trustProxy = false, before = [], afterBody = [] }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // no nested objects from ?a[b]=c
  app.set('trust proxy', trustProxy);
  app.use(securityHeaders());
  for (const mw of before) app.use(mw);
  app.use('/api', express.json({ limit: jsonLimit, strict: true, verify: verifyUtf8Body }));
  for (const mw of afterBody) app.use('/api', mw);
  for (const r of routers) app.use(r);
  app.use('/api', notFoundHandler);
  if (uiDir && existsSync(path.join(uiDir, 'index.html'))) {
    app.use(express.static(uiDir, { index: 'index.html', maxAge: '1h' }));
    // The SPA shell is static and public (it holds no data), so it is a middleware, not a route.
    app.use((req, res, next) => {
      if (req.method !== 'GET' || req.path.startsWith('/api/') || req.path.startsWith('/socket.io/')) return next();
      res.sendFile(path.join(uiDir, 'index.html'));
    });
  }
  app.use(notFoundHandler);
  app.use(errorHandler(log));
  return app;
}
