/**
 * Residents' reports (tin báo): categories, states and the messages pushed over socket.io.
 * Type-only vocabulary shared with ui/ (no Node imports here).
 */
export const REPORT_CATEGORIES = ['theft', 'fight', 'suspicious', 'fire', 'traffic', 'social_evils', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export const REPORT_STATES = ['new', 'received', 'verifying', 'handled', 'unfounded', 'forwarded'] as const;
export type ReportState = (typeof REPORT_STATES)[number];

/** new → received → verifying → handled | unfounded | forwarded; police may skip ahead, never go back from a closed state. */
export const REPORT_TRANSITIONS: Record<ReportState, readonly ReportState[]> = {
  new: ['received', 'verifying', 'handled', 'unfounded', 'forwarded'],
  received: ['verifying', 'handled', 'unfounded', 'forwarded'],
  verifying: ['handled', 'unfounded', 'forwarded'],
  handled: [],
  unfounded: [],
  forwarded: [],
};
export const CLOSED_REPORT_STATES: readonly ReportState[] = ['handled', 'unfounded', 'forwarded'];

export const REPORT_NOTE_VISIBILITIES = ['internal', 'public'] as const;
export type ReportNoteVisibility = (typeof REPORT_NOTE_VISIBILITIES)[number];

export interface ReportStep {
  from: ReportState | null;
  to: ReportState;
  at: number;
  /** Milliseconds since the previous step (since filing for the first). */
  tookMs: number;
}

export interface ReportNoteView {
  id: number;
  visibility: ReportNoteVisibility;
  body: string;
  authorName: string | null;
  createdAt: number;
}

export interface ReportPhotoView {
  id: number;
  url: string;
  mime: string;
  bytes: number;
}

/** A report's own fields, as stored and as shown (the store's ReportRecord adds reporter and assignee ids). */
export interface ReportFields {
  id: number;
  ref: string;
  areaId: number;
  category: ReportCategory;
  body: string;
  place: string;
  latitude: number | null;
  longitude: number | null;
  occurredAt: number;
  state: ReportState;
  eventId: number | null;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Filed by a group leader for this person. */
  onBehalfOf: string | null;
  /** Filed anonymously through the area's public link. */
  viaPublicLink: boolean;
}

/** What anyone holding an anonymous report's reference number and secret sees: its state, steps and public notes. */
export interface PublicReportStatus {
  ref: string;
  areaName: string | null;
  category: ReportCategory;
  state: ReportState;
  createdAt: number;
  steps: ReportStep[];
  notes: { body: string; createdAt: number }[];
}

/** What the public link's page shows before a report is filed. */
export interface PublicLinkInfo {
  areaName: string;
  maxPhotos: number;
  maxPhotoBytes: number;
}

/** The answer to an anonymous report: the secret is shown once and never stored in clear. */
export interface PublicReportReceipt {
  ref: string;
  secret: string;
}

/** What the reporter sees of a report: public notes only, no assignee, no internal detail. */
export interface ReportMessage extends ReportFields {
  areaName: string | null;
  photos: ReportPhotoView[];
  steps: ReportStep[];
  notes: ReportNoteView[];
  /** Police view only (null for the reporter). */
  reporterName: string | null;
  assigneeId: number | null;
  evidenceClipIds: number[];
}

/** An area announcement (thông báo): police to the residents of an area and the areas under it. */
export interface AnnouncementMessage {
  id: number;
  areaId: number;
  areaName: string | null;
  authorName: string | null;
  title: string;
  body: string;
  createdAt: number;
  read: boolean;
  /** The announcement's photo (warnings about a wanted vehicle, a scam flyer), or null. */
  photoUrl: string | null;
}
