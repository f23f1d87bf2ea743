import type { HealthBody } from '../../server/api/health.routes.js';

export type { HealthBody };
export interface CameraView {
  id: number;
  name: string;
  display: 'online' | 'interrupted' | 'offline';
  state: string;
  stateReason: string | null;
  demo: boolean;
}

export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly params?: Record<string, unknown>) {
    super(message);
  }
}

export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string; params?: Record<string, unknown> } };
  if (!res.ok) throw new ApiError(body.error?.code ?? 'http_' + res.status, body.error?.message ?? res.statusText, body.error?.params);
  return body as T;
}
