/**
 * Shapes of the API, taken from the server's own code (server/api/api.types.ts). When the
 * server changes a view, the UI stops compiling instead of drifting.
 */
export type {
  AlertMessage,
  AlertCatchUp,
  AlertCursor,
  AlertStateName,
  CameraDisplayState,
  CameraStateMessage,
  ClientToServerEvents,
  LiveStartReply,
  ServerToClientEvents,
} from '../../../server/domain/socket.events.js';
import type { DiscoveredCamera, TestFrame, UserView } from '../../../server/api/api.types.js';
export type { Role } from '../../../server/domain/access.js';
export type { AreaEvaluation } from '../../../server/domain/evaluation.js';
export type { AnnouncementMessage } from '../../../server/domain/report.js';
export type { ReportCategory, ReportMessage, ReportState, ReportStep, ReportNoteVisibility } from '../../../server/domain/report.js';
export type {
  AlertDetail,
  AlertHistoryEntry,
  Area,
  AreaKind,
  AuditEntryView,
  AuditVerification,
  CameraNetworkView,
  CameraView,
  ClusterView,
  ClipView,
  DiscoveredCamera,
  EventComment,
  EventDetail,
  EventView,
  HealthBody,
  Note,
  ProbeResult,
  TestFrame,
  UserView,
} from '../../../server/api/api.types.js';

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
