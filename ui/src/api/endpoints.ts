import type { CameraIngestStats, PlaybackWindow } from '../../../server/api/api.types.js';
import type { UserPreferences } from '../../../server/domain/preferences.js';
import { getJson, patchJson, postJson, query, request, type RequestOptions } from './http.js';
import type {
  AlertDetail,
  AlertMessage,
  Area,
  AreaKind,
  AuditEntryView,
  AuditVerification,
  CameraNetworkView,
  ClusterView,
  CameraView,
  ClipView,
  DiscoveryAnswer,
  EventComment,
  EventDetail,
  EventView,
  ListPage,
  Note,
  ProbeResult,
  Role,
  SessionInfo,
  TestFrameAnswer,
  UserView,
} from './types.js';

/** Typed calls to the server's routes, one function per route the UI uses. */
type Q = Record<string, string | number | boolean | undefined | null>;

export const api = {
  preferences: () => getJson<UserPreferences>('/api/me/preferences'),
  savePreferences: (changes: UserPreferences) => patchJson<UserPreferences>('/api/me/preferences', changes),
  session: () => getJson<SessionInfo>('/api/auth/session', { quiet401: true }),
  login: (username: string, password: string) => request<{ user: UserView }>('POST', '/api/auth/login', { username, password }, { quiet401: true }),
  logout: () => postJson<void>('/api/auth/logout'),
  setup: (body: { code: string; username: string; displayName?: string; password: string }) =>
    request<{ user: UserView }>('POST', '/api/setup', body, { quiet401: true }),
  changePassword: (currentPassword: string, newPassword: string) => postJson<{ user: UserView }>('/api/auth/password', { currentPassword, newPassword }),

  areas: () => getJson<{ areas: Area[] }>('/api/areas').then((r) => r.areas),
  createArea: (body: { parentId: number | null; kind: AreaKind; name: string }) => postJson<Area>('/api/areas', body),
  renameArea: (id: number, name: string) => patchJson<Area>(`/api/areas/${id}`, { name }),

  users: () => getJson<{ users: UserView[] }>('/api/users').then((r) => r.users),
  createUser: (body: { username: string; displayName?: string; password: string; roles: Role[]; areaIds: number[] }) => postJson<UserView>('/api/users', body),
  updateUser: (id: number, body: { displayName?: string; roles?: Role[]; areaIds?: number[]; disabled?: boolean }) =>
    patchJson<UserView>(`/api/users/${id}`, body),
  resetPassword: (id: number, password: string) => postJson<void>(`/api/users/${id}/password`, { password }),

  audit: (q: Q) => getJson<{ entries: AuditEntryView[]; nextBeforeId: number | null }>(`/api/audit${query(q)}`),
  auditVerify: () => getJson<AuditVerification>('/api/audit/verify'),

  cameraNetwork: () => getJson<CameraNetworkView>('/api/settings/camera-network'),
  cluster: () => getJson<ClusterView>('/api/cluster'),
  saveCameraNetwork: (body: { allow: string[]; deny: string[] }) => request<CameraNetworkView>('PUT', '/api/settings/camera-network', body),
  resetCameraNetwork: () => request<CameraNetworkView>('DELETE', '/api/settings/camera-network'),

  cameras: () => getJson<{ cameras: CameraView[] }>('/api/cameras').then((r) => r.cameras),
  camera: (id: number) => getJson<CameraView>(`/api/cameras/${id}`),
  createCamera: (body: Record<string, unknown>) => postJson<CameraView>('/api/cameras', body),
  updateCamera: (id: number, body: Record<string, unknown>) => patchJson<CameraView>(`/api/cameras/${id}`, body),
  deleteCamera: (id: number) => request<void>('DELETE', `/api/cameras/${id}`),
  discover: (body: { interfaces?: string[]; targets?: string[]; timeoutSeconds?: number }, opts?: RequestOptions) =>
    postJson<DiscoveryAnswer>('/api/cameras/discover', body, opts),
  probe: (body: { target: string; username?: string; password?: string }, opts?: RequestOptions) => postJson<ProbeResult>('/api/cameras/probe', body, opts),
  testConnection: (body: { url: string; credentials?: { username: string; password: string } | null; transport?: 'tcp' | 'udp' }, opts?: RequestOptions) =>
    postJson<TestFrameAnswer>('/api/cameras/test-connection', body, opts),
  testRegistered: (id: number, stream: 'detect' | 'record', opts?: RequestOptions) =>
    postJson<TestFrameAnswer>(`/api/cameras/${id}/test-connection`, { stream }, opts),
  /** Every running camera's figures (GET /api/cameras/stats); null when this camera is not running. */
  cameraStats: async (id: number): Promise<CameraStats | null> => {
    const r = await getJson<{ cameras: CameraStats[]; at: number }>('/api/cameras/stats');
    return r.cameras.find((c) => c.cameraId === id) ?? null;
  },

  alerts: (q: Q) => getJson<ListPage<AlertMessage>>(`/api/alerts${query(q)}`),
  alert: (id: number) => getJson<AlertDetail>(`/api/alerts/${id}`),
  changeAlert: (id: number, body: { state: string; note?: string; noteVisibility?: 'internal' | 'public'; assigneeId?: number }) =>
    postJson<{ alert: AlertMessage }>(`/api/alerts/${id}/state`, body),
  alertNote: (id: number, body: string, visibility: 'internal' | 'public') => postJson<Note>(`/api/alerts/${id}/notes`, { body, visibility }),

  events: (q: Q) => getJson<ListPage<EventView>>(`/api/events${query(q)}`),
  event: (id: number) => getJson<EventDetail>(`/api/events/${id}`),
  shareEvent: (id: number, shared: boolean) => postJson<EventView>(`/api/events/${id}/${shared ? 'share' : 'unshare'}`),
  pinEvent: (id: number, pinned: boolean) => postJson<EventView>(`/api/events/${id}/${pinned ? 'pin' : 'unpin'}`),
  comment: (id: number, body: string, flag: boolean) => postJson<EventComment>(`/api/events/${id}/comments`, { body, flag }),
  eventNote: (id: number, body: string, visibility: 'internal' | 'public') => postJson<Note>(`/api/events/${id}/notes`, { body, visibility }),

  recordedSpans: (cameraId: number, from: number, to: number) =>
    getJson<{ spans: [number, number][] }>(`/api/cameras/${cameraId}/recordings${query({ from, to })}`),
  /** A small JPEG of the recording at a moment (the timeline's hover preview). */
  thumbUrl: (cameraId: number, at: number) => `/api/cameras/${cameraId}/thumb.jpg${query({ at: Math.round(at) })}`,
  playback: (cameraId: number, at: number) => getJson<PlaybackView>(`/api/cameras/${cameraId}/playback${query({ at: Math.round(at) })}`),
  clip: (id: number) => getJson<ClipView>(`/api/clips/${id}`),
  clips: (q: Q) => getJson<ListPage<ClipView>>(`/api/clips${query(q)}`),
  exportRange: (body: { cameraId: number; from: number; to: number; reason: string }) => postJson<{ clip: ClipView }>('/api/clips/export', body),
};

/** A window of the continuous recording (server/clips/recording.playback.ts) and its video. */
export type PlaybackView = PlaybackWindow & { videoUrl: string };

/** One sample of a camera's figures, for the last-hour chart. */
export interface StatsSample {
  at: number;
  frameFps: number | null;
  framesDropped: number | null;
  cpuPercent: number | null;
}

/**
 * Camera health as ingest reports it (server/ingest/camera.stats.ts). `history` is the last
 * hour, oldest first, kept by the server (server/ingest/stats.history.ts); without it (an older
 * server) the page charts what it polls while open.
 */
export type CameraStats = CameraIngestStats & { history?: StatsSample[] };
