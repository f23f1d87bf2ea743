import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type Router } from 'express';
import { errorHandler, notFoundHandler } from './error.middleware.js';
import type { Logger } from '../shared/log.js';

export interface AppOptions {
  routers: Router[];
  log: Logger;
  /** Built UI (vite build output); served with an SPA fallback when present. */
  uiDir?: string;
  jsonLimit?: string;
}

/** The express app: JSON API under /api, the built UI everywhere else. Handlers live in *.routes.ts. */
export function createApp({ routers, log, uiDir, jsonLimit = '256kb' }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple'); // no nested objects from ?a[b]=c
  app.use((_req, res, next) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'same-origin',
      'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    });
    next();
  });
  app.use('/api', express.json({ limit: jsonLimit, strict: true }));
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
