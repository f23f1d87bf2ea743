import { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../auth/audit.log.js';
import { authorize, type Authorizer } from '../auth/authorize.js';
import type { AuditEntry } from '../store/audit.repository.js';
import { decimalInt } from './params.js';
import { parse } from './validate.js';

export interface AuditRoutesDeps {
  authorizer: Authorizer;
  audit: AuditLog;
}

// Filters are validated to plain shapes: anything else (quotes, semicolons, spaces) is a 400.
const intParam = decimalInt(0, Number.MAX_SAFE_INTEGER);
const listQuery = z
  .object({
    userId: intParam.optional(),
    action: z
      .string()
      .regex(/^[a-z][a-z0-9._-]{0,63}$/, 'an action name such as auth.login.failure')
      .optional(),
    resourceType: z
      .string()
      .regex(/^[a-z][a-z_]{0,31}$/, 'a resource type such as clip')
      .optional(),
    resourceId: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'a resource id')
      .optional(),
    from: intParam.optional().describe('epoch ms, inclusive'),
    to: intParam.optional().describe('epoch ms, exclusive'),
    beforeId: intParam.optional(),
    limit: decimalInt(1, 500).default(100),
  })
  .strict();

function entryView(e: AuditEntry) {
  return { ...e, detail: e.detail ? (JSON.parse(e.detail) as unknown) : null };
}

/** Read-only: there is no route that edits or deletes audit entries. */
export function auditRoutes(d: AuditRoutesDeps): Router {
  const r = Router();
  r.get('/api/audit', authorize(d.authorizer, 'audit.list'), async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    const entries = await d.audit.list(q);
    res.json({ entries: entries.map(entryView), nextBeforeId: entries.length === q.limit ? entries[entries.length - 1]!.id : null });
  });
  r.get('/api/audit/verify', authorize(d.authorizer, 'audit.verify'), async (_req, res) => {
    res.json(await d.audit.verify());
  });
  return r;
}
