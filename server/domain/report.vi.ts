import type { ReportCategory, ReportState } from './report.js';

/**
 * The Vietnamese names of report categories and states, in one place for the panel (ui/src/i18n/vi.reports.ts)
 * and for what the server itself writes in Vietnamese (phone notifications: server/reports/report.notify.ts).
 */
export const REPORT_CATEGORY_VI: Record<ReportCategory, string> = {
  theft: 'Trộm cắp',
  fight: 'Đánh nhau, gây rối',
  suspicious: 'Người, xe khả nghi',
  fire: 'Cháy nổ',
  traffic: 'Giao thông',
  social_evils: 'Tệ nạn xã hội',
  other: 'Việc khác',
};

export const REPORT_STATE_VI: Record<ReportState, string> = {
  new: 'Mới',
  received: 'Đã tiếp nhận',
  verifying: 'Đang xác minh',
  handled: 'Đã xử lý',
  unfounded: 'Không có cơ sở',
  forwarded: 'Đã chuyển cơ quan khác',
};
