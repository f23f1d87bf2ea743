import type { ChannelHealth, NotificationChannel, NotificationKind, NotifyRules } from '../../../server/domain/notification.js';
import { getJson, patchJson, postJson, request } from './http.js';

/** The notification routes (issue 14), apart from endpoints.ts so the two can change independently. */
export interface EndpointView {
  id: number;
  name: string;
  url: string;
  kinds: NotificationKind[];
  enabled: boolean;
  createdAt: number;
}
export interface DeliveryView {
  id: number;
  channel: NotificationChannel;
  target: string;
  state: string;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  doneAt: number | null;
  notification: { key: string; kind: NotificationKind; at: number; cameraId: number | null };
}
export interface AttemptView {
  id: number;
  at: number;
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
  kind: NotificationKind;
  key: string;
}
export type RulesView = NotifyRules & { saved: boolean };
export type TestAnswer = { ok: boolean; status?: number; error?: string; durationMs: number };

export const notifyApi = {
  channels: () => getJson<{ channels: ChannelHealth[]; deliveries: Record<string, number> }>('/api/notify/channels'),
  endpoints: () => getJson<{ items: EndpointView[] }>('/api/notify/endpoints').then((r) => r.items),
  createEndpoint: (body: { name: string; url: string }) => postJson<{ endpoint: EndpointView; secret: string }>('/api/notify/endpoints', body),
  setEndpointEnabled: (id: number, enabled: boolean) => patchJson<EndpointView>(`/api/notify/endpoints/${id}`, { enabled }),
  deleteEndpoint: (id: number) => request<void>('DELETE', `/api/notify/endpoints/${id}`),
  testEndpoint: (id: number) => postJson<TestAnswer>(`/api/notify/endpoints/${id}/test`),
  endpointLog: (id: number) => getJson<{ items: AttemptView[] }>(`/api/notify/endpoints/${id}/log?limit=20`).then((r) => r.items),
  deadLetters: () => getJson<{ items: DeliveryView[] }>('/api/notify/dead-letters').then((r) => r.items),
  retry: (id: number) => request<void>('POST', `/api/notify/deliveries/${id}/retry`),
  pushKey: () => getJson<{ publicKey: string }>('/api/notify/push/key'),
  subscribePush: (sub: PushSubscriptionJSON) => postJson<{ id: number }>('/api/notify/push/subscriptions', sub),
  unsubscribePush: (endpoint: string) => request<void>('DELETE', '/api/notify/push/subscriptions', { endpoint }),
  rules: () => getJson<RulesView>('/api/notify/rules'),
  saveRules: (rules: NotifyRules) => request<RulesView>('PUT', '/api/notify/rules', rules),
};
