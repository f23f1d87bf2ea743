import { getJson, postJson, query, request, type RequestOptions } from './http.js';
import type { ClipView, ListPage, ReportMessage, ReportNoteVisibility, ReportState } from './types.js';

export interface FootageCamera {
  cameraId: number;
  cameraName: string;
  areaId: number | null;
  recordedMs: number;
  clips: ClipView[];
}

/** The report routes (server/api/report.routes.ts). */
export const reportsApi = {
  list: (q: { state?: ReportState; limit?: number }) => getJson<ListPage<ReportMessage>>(`/api/reports${query(q)}`),
  get: (id: number) => getJson<ReportMessage>(`/api/reports/${id}`),
  /** Multipart: the fields and up to 4 photos. */
  file: (form: FormData, opts?: RequestOptions) => request<ReportMessage>('POST', '/api/reports', form, opts),
  change: (id: number, body: { state?: ReportState; assigneeId?: number | null }) => postJson<ReportMessage>(`/api/reports/${id}/state`, body),
  note: (id: number, body: string, visibility: ReportNoteVisibility) => postJson<ReportMessage>(`/api/reports/${id}/notes`, { body, visibility }),
  footage: (id: number) => getJson<{ from: number; to: number; cameras: FootageCamera[] }>(`/api/reports/${id}/footage`),
  attach: (id: number, cameraId: number) => postJson<{ clip: ClipView }>(`/api/reports/${id}/evidence`, { cameraId }),
};
