/** Vietnamese first, English second. Every UI string comes from here. */
const vi = {
  title: 'BinhYen — màn hình cảnh báo trực tiếp',
  health: 'Tình trạng hệ thống',
  version: 'Phiên bản',
  uptime: 'Thời gian chạy',
  database: 'Cơ sở dữ liệu',
  detector: 'Bộ nhận dạng',
  cameras: 'Camera',
  online: 'trực tuyến',
  interrupted: 'gián đoạn',
  offline: 'mất kết nối',
  ok: 'hoạt động',
  down: 'lỗi',
  none: 'chưa có',
  noCameras: 'Chưa có camera nào.',
  noFrame: 'Đang chờ hình ảnh…',
  demo: 'camera mô phỏng',
  seconds: 'giây',
  'error.no_frame_yet': 'Camera chưa có hình ảnh.',
  'error.forbidden': 'Bạn không có quyền thực hiện thao tác này.',
  'error.internal': 'Lỗi máy chủ. Vui lòng thử lại.',
  'error.network': 'Mất kết nối tới máy chủ.',
  language: 'English',
} as const;
export type MessageKey = keyof typeof vi;

const en: Record<MessageKey, string> = {
  title: 'BinhYen — live alert wall',
  health: 'System health',
  version: 'Version',
  uptime: 'Uptime',
  database: 'Database',
  detector: 'Detector',
  cameras: 'Cameras',
  online: 'online',
  interrupted: 'interrupted',
  offline: 'offline',
  ok: 'ok',
  down: 'down',
  none: 'none',
  noCameras: 'No camera yet.',
  noFrame: 'Waiting for a picture…',
  demo: 'simulated camera',
  seconds: 's',
  'error.no_frame_yet': 'The camera has no picture yet.',
  'error.forbidden': 'You are not allowed to do this.',
  'error.internal': 'Server error. Please try again.',
  'error.network': 'Lost connection to the server.',
  language: 'Tiếng Việt',
};

export type Lang = 'vi' | 'en';
const tables: Record<Lang, Record<MessageKey, string>> = { vi, en };

export function translate(lang: Lang, key: MessageKey): string {
  return tables[lang][key];
}

/** Server errors are shown by code, never by echoing the server's English message. */
export function translateError(lang: Lang, code: string): string {
  const key = `error.${code}` as MessageKey;
  return key in vi ? tables[lang][key] : tables[lang]['error.internal'];
}
