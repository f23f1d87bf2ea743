import type { Express } from 'express';
import { AUTH_ACTION, type Action } from '../auth/authorize.js';

export interface RouteInfo {
  method: string;
  path: string;
  /** The action declared with authorize(), or undefined when the route has none. */
  action: Action | undefined;
}

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown }[] };
  handle?: { stack?: Layer[] };
}

/**
 * Every route of the app with the action it declares. Used by the tests that fail on a
 * route without an authorize() declaration and by the generated access-matrix test.
 */
export function listRoutes(app: Express): RouteInfo[] {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const out: RouteInfo[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const declared = layer.route.stack.map((l) => (l.handle as Record<symbol, Action | undefined>)[AUTH_ACTION]).find((a) => a !== undefined);
        for (const method of Object.keys(layer.route.methods)) {
          out.push({ method: method.toUpperCase(), path: layer.route.path, action: declared });
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk(root.stack);
  return out;
}
