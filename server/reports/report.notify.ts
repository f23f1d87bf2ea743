import type { NotificationDraft } from '../domain/notification.js';
import type { AnnouncementMessage, ReportFields } from '../domain/report.js';
import { REPORT_CATEGORY_VI, REPORT_STATE_VI } from '../domain/report.vi.js';

/**
 * What residents' reports and area announcements put into the notification outbox (issue 14
 * item 1), written by the caller in the transaction that makes the change. Titles are the
 * Vietnamese a phone shows (Web Push, Zalo); `url` is where a tap leads. A report's feedback is
 * addressed to its reporter alone (`recipients`); an announcement reaches its area and every
 * area under it (`areaIds`).
 */

const excerpt = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

type ReportFacts = Pick<ReportFields, 'id' | 'ref' | 'category' | 'areaId' | 'body' | 'place' | 'occurredAt' | 'state'>;

/** A new report, for the police of its area (never residents: the draft is internal). */
export function reportFiled(r: ReportFacts, at: number): NotificationDraft {
  return {
    kind: 'report.new',
    key: `report:${r.id}:new`,
    cameraId: null,
    areaId: r.areaId,
    severity: null,
    label: r.category,
    visibility: 'internal',
    payload: {
      title: `Tin báo mới ${r.ref}: ${REPORT_CATEGORY_VI[r.category]}`,
      body: excerpt([r.place, r.body].filter(Boolean).join(' — ')),
      url: `/reports/${r.id}`,
      report: { id: r.id, ref: r.ref, category: r.category, areaId: r.areaId, occurredAt: r.occurredAt },
    },
    at,
  };
}

/** A public change of a report (its state, or a public note), for its reporter only. */
export function reportAnswered(r: ReportFacts, reporterId: number, change: { key: string; note?: string }, at: number): NotificationDraft {
  return {
    kind: 'report.updated',
    key: `report:${r.id}:${change.key}`,
    cameraId: null,
    areaId: r.areaId,
    severity: null,
    label: r.category,
    visibility: 'shared',
    payload: {
      title: `Tin báo ${r.ref}: ${REPORT_STATE_VI[r.state]}`,
      body: change.note ? excerpt(change.note) : 'Công an đã cập nhật tin báo của bạn.',
      url: `/reports/${r.id}`,
      recipients: [reporterId],
      report: { id: r.id, ref: r.ref, state: r.state },
    },
    at,
  };
}

/** An announcement, for the residents of its area and of every area under it. */
export function announced(a: Pick<AnnouncementMessage, 'id' | 'areaId' | 'title' | 'body'>, reach: number[], at: number): NotificationDraft {
  return {
    kind: 'announcement',
    key: `announcement:${a.id}`,
    cameraId: null,
    areaId: a.areaId,
    severity: null,
    label: null,
    visibility: 'shared',
    payload: { title: `Thông báo: ${a.title}`, body: excerpt(a.body), url: '/announcements', areaIds: reach, announcement: { id: a.id, areaId: a.areaId } },
    at,
  };
}
