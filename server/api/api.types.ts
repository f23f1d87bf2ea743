/**
 * What the control panel (ui/) may use of the server: the API's response shapes and the few
 * pure tables the UI shares (alert transitions, the access matrix). The UI imports server
 * code only from here and from server/domain/ (lint enforces it), never from repositories.
 */
import type { cameraView } from './camera.routes.js';
import type { userView } from './auth.routes.js';
import type { EventService } from '../events/event.service.js';
import type { AlertQuery } from '../events/alert.query.js';
import type { AuditEntry } from '../store/audit.repository.js';

export type { DiscoveredCamera } from '../cameras/camera.onboarding.js';
export type { ProbeResult } from '../cameras/onvif.probe.js';
export type { EventView, ClipView } from '../events/event.view.js';
export type { PlaybackWindow } from '../clips/recording.playback.js';
export type { Area, AreaKind } from '../store/area.repository.js';
export type { AuditVerification } from '../auth/audit.chain.js';
export type { HealthBody } from './health.routes.js';
export type { CameraNetworkView } from '../cameras/network.settings.js';
export type { Action } from '../auth/authorize.js';
export type { TestFrame } from '../ingest/ffmpeg.grab.js';
export type { CameraIngestStats } from '../ingest/camera.stats.js';
export type { Note } from '../store/note.repository.js';
export type { EventComment } from '../store/comment.repository.js';
export type { AlertHistoryEntry } from '../store/alert.repository.js';
export { ALERT_TRANSITIONS } from '../events/alert.state.js';
export { ACCESS_MATRIX } from '../auth/access.matrix.js';

export type CameraView = ReturnType<typeof cameraView>;
export type UserView = ReturnType<typeof userView>;
export type EventDetail = Awaited<ReturnType<EventService['detail']>>;
export type AlertDetail = Awaited<ReturnType<AlertQuery['detail']>>;
export type AuditEntryView = Omit<AuditEntry, 'detail'> & { detail: unknown };
export type { ClusterView, ClusterNodeView, ClusterCameraView } from './cluster.routes.js';
