import type { ReportMessage, ReportStep } from '../domain/report.js';
import type { ReportHistoryEntry, ReportNote, ReportPhoto, ReportRecord } from '../store/report.repository.js';

export interface ReportParts {
  areaName: string | null;
  reporterName: string | null;
  photos: ReportPhoto[];
  history: ReportHistoryEntry[];
  notes: ReportNote[];
  evidenceClipIds: number[];
}

/** Each state change with how long it took since the one before (the first: since filing). */
export function stepsOf(r: Pick<ReportRecord, 'createdAt'>, history: ReportHistoryEntry[]): ReportStep[] {
  let prev = r.createdAt;
  return history.map((h) => {
    const step = { from: h.fromState, to: h.toState, at: h.at, tookMs: Math.max(0, h.at - prev) };
    prev = h.at;
    return step;
  });
}

/**
 * The police view (`full`) or the reporter's: the reporter gets public notes only, and neither
 * the assignee, the reporter's name as police see it, nor the evidence list.
 */
export function reportView(r: ReportRecord, p: ReportParts, full: boolean): ReportMessage {
  return {
    id: r.id,
    ref: r.ref,
    areaId: r.areaId,
    areaName: p.areaName,
    category: r.category,
    body: r.body,
    place: r.place,
    latitude: r.latitude,
    longitude: r.longitude,
    occurredAt: r.occurredAt,
    state: r.state,
    eventId: r.eventId,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    closedAt: r.closedAt,
    onBehalfOf: r.onBehalfOf,
    viaPublicLink: r.viaPublicLink,
    photos: p.photos.map((ph) => ({ id: ph.id, url: `/api/reports/${r.id}/photos/${ph.id}`, mime: ph.mime, bytes: ph.bytes })),
    steps: stepsOf(r, p.history),
    notes: p.notes
      .filter((n) => full || n.visibility === 'public')
      .map((n) => ({ id: n.id, visibility: n.visibility, body: n.body, authorName: full ? n.authorName : null, createdAt: n.createdAt })),
    reporterName: full ? p.reporterName : null,
    assigneeId: full ? r.assigneeId : null,
    evidenceClipIds: full ? p.evidenceClipIds : [],
  };
}
