import type { NotificationRecord } from '../domain/notification.js';

/** What a person reads on a phone (Web Push, Zalo): Vietnamese, short, with where a tap leads. */
export interface PersonMessage {
  title: string;
  body: string;
  /** Path in the control panel a tap opens. */
  url: string;
  /** The alert's snapshot (same origin), when it has one. */
  image: string | null;
  /** Notifications merged into this one (a burst from one camera). */
  count: number;
  /** The notification keys it carries, oldest first: a device can drop a repeat, and a test can check none was lost. */
  keys: string[];
  tag: string;
}

const LABELS: Record<string, string> = {
  person: 'người',
  motorcycle: 'xe máy',
  bicycle: 'xe đạp',
  car: 'ô tô',
  bus: 'xe buýt',
  truck: 'xe tải',
  dog: 'chó',
  cat: 'mèo',
};

interface AlertPart {
  id?: number;
  eventId?: number | null;
  cameraName?: string | null;
  label?: string | null;
  snapshotUrl?: string | null;
}

export function personMessage(group: NotificationRecord[]): PersonMessage {
  const last = group[group.length - 1]!;
  const a = (last.payload.alert ?? {}) as AlertPart;
  const where = a.cameraName ?? 'hệ thống';
  const what = a.label ? (LABELS[a.label] ?? a.label) : null;
  const count = group.length;
  const url = a.eventId ? `/events/${a.eventId}` : '/wall';
  const base = { url, image: a.snapshotUrl ?? null, count, keys: group.map((n) => n.key), tag: `binhyen-${last.cameraId ?? 'system'}` };
  switch (last.kind) {
    case 'alert.new':
      return {
        ...base,
        title: count > 1 ? `${count} cảnh báo mới tại ${where}` : `Cảnh báo: ${what ?? 'sự kiện'} tại ${where}`,
        body: 'Chạm để xem ảnh và xử lý.',
      };
    case 'alert.updated':
      return { ...base, title: `Cảnh báo tại ${where} được cập nhật`, body: 'Chạm để xem chi tiết.' };
    case 'alert.resolved':
      return { ...base, title: `Cảnh báo tại ${where} đã xử lý xong`, body: 'Không cần làm gì thêm.' };
    case 'camera.offline':
      return { ...base, title: `Camera ${where} mất kết nối`, body: 'Kỹ thuật viên cần kiểm tra camera.' };
    case 'camera.online':
      return { ...base, title: `Camera ${where} đã kết nối lại`, body: 'Camera hoạt động bình thường.' };
    default:
      return { ...base, title: String(last.payload.title ?? 'Thông báo mới'), body: String(last.payload.body ?? ''), url: String(last.payload.url ?? '/') };
  }
}
