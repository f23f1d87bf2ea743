/**
 * Shapes of the API, taken from the server's own code (type-only imports: nothing of the
 * server is bundled). When the server changes a view, the UI stops compiling instead of drifting.
 */
import type { cameraView } from '../../../server/api/camera.routes.js';
import type { userView } from '../../../server/api/auth.routes.js';
import type { EventService } from '../../../server/events/event.service.js';
import type { AlertQuery } from '../../../server/events/alert.query.js';
import type { DiscoveredCamera } from '../../../server/cameras/camera.onboarding.js';
import type { ProbeResult } from '../../../server/cameras/onvif.probe.js';
import type { EventView, ClipView } from '../../../server/events/event.view.js';
import type { Area, AreaKind } from '../../../server/store/area.repository.js';
import type { AuditEntry, AuditVerification } from '../../../server/store/audit.repository.js';
import type { HealthBody } from '../../../server/api/health.routes.js';
import type { Role } from '../../../server/auth/authorize.js';
import type { TestFrame } from '../../../server/cameras/camera.grab.js';

export type {
  AlertMessage, AlertCatchUp, AlertCursor, AlertStateName, CameraDisplayState, CameraStateMessage,
  ClientToServerEvents, ServerToClientEvents,
} from '../../../server/realtime/socket.events.js';
export type { EventView, ClipView, Area, AreaKind, AuditVerification, HealthBody, Role, DiscoveredCamera, ProbeResult };
export type { Note } from '../../../server/store/note.repository.js';
export type { EventComment } from '../../../server/store/comment.repository.js';
export type { AlertHistoryEntry } from '../../../server/store/alert.repository.js';

export type CameraView = ReturnType<typeof cameraView>;
export type UserView = ReturnType<typeof userView>;
export type EventDetail = Awaited<ReturnType<EventService['detail']>>;
export type AlertDetail = Awaited<ReturnType<AlertQuery['detail']>>;
export type AuditEntryView = Omit<AuditEntry, 'detail'> & { detail: unknown };

export interface ListPage<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface SessionInfo {
  setupRequired: boolean;
  user: UserView | null;
  expiresAt: number | null;
}

export interface DiscoveryAnswer {
  devices: DiscoveredCamera[];
  interfaces: string[];
  targets: string[];
}

export type TestFrameAnswer = Omit<TestFrame, 'jpeg'> & { jpegBase64: string };
