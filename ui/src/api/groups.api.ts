import type { MemberRole } from '../../../server/domain/access.js';
import type { PublicLinkInfo, PublicReportReceipt, PublicReportStatus } from '../../../server/domain/report.js';
import { getJson, postJson, request, type RequestOptions } from './http.js';
import type { Area } from './types.js';

export interface GroupMember {
  userId: number;
  username: string;
  displayName: string;
  memberRole: MemberRole;
}
export type GroupView = Area & { members: GroupMember[] };

/** Community groups, per-area targets and the anonymous report link (server/api/group.routes.ts, reportlink.routes.ts). */
export const groupsApi = {
  groups: () => getJson<{ groups: GroupView[] }>('/api/groups').then((r) => r.groups),
  setMember: (areaId: number, userId: number, memberRole: MemberRole) =>
    request<{ roles: string[] }>('PUT', `/api/groups/${areaId}/members/${userId}`, { memberRole }),
  removeMember: (areaId: number, userId: number) => request<{ removed: boolean }>('DELETE', `/api/groups/${areaId}/members/${userId}`),
  setTarget: (areaId: number, feedbackTargetMinutes: number | null) => request<Area>('PATCH', `/api/areas/${areaId}`, { feedbackTargetMinutes }),

  linkStatus: (areaId: number) => getJson<{ areaId: number; enabled: boolean; since: number | null }>(`/api/areas/${areaId}/report-link`),
  enableLink: (areaId: number) => postJson<{ areaId: number; token: string; path: string; since: number }>(`/api/areas/${areaId}/report-link`),
  disableLink: (areaId: number) => request<{ revoked: number }>('DELETE', `/api/areas/${areaId}/report-link`),

  /** No account: these never tell the shell about a 401. */
  publicLink: (token: string) => getJson<PublicLinkInfo>(`/api/public/report-links/${encodeURIComponent(token)}`, { quiet401: true }),
  publicFile: (token: string, form: FormData, opts?: RequestOptions) =>
    request<PublicReportReceipt>('POST', `/api/public/report-links/${encodeURIComponent(token)}/reports`, form, { quiet401: true, ...opts }),
  publicFollow: (ref: string, secret: string) => request<PublicReportStatus>('POST', '/api/public/reports/status', { ref, secret }, { quiet401: true }),
};
