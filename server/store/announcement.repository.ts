import type { AnnouncementMessage } from '../domain/report.js';
import type { Executor } from './db.js';
import { insertReturningId, toNumberOrNull } from './repository.util.js';

export type Announcement = AnnouncementMessage;

type Row = Record<string, unknown>;

export class AnnouncementRepository {
  constructor(private readonly db: Executor) {}

  async create(
    a: { areaId: number; authorId: number | null; title: string; body: string; photo?: { path: string; mime: string } | null },
    now: number,
  ): Promise<number> {
    return insertReturningId(this.db('announcements'), {
      area_id: a.areaId,
      author_id: a.authorId,
      title: a.title,
      body: a.body,
      photo_path: a.photo?.path ?? null,
      photo_mime: a.photo?.mime ?? null,
      created_at: now,
    });
  }

  /** Newest first, of the given areas (null: all), with the reader's read marks. */
  async list(areaIds: number[] | null, readerId: number, page: { limit: number; offset: number }) {
    const q = this.db('announcements');
    if (areaIds) q.whereIn('announcements.area_id', areaIds);
    const [count] = await q.clone().count<{ n: number | string }[]>({ n: 'announcements.id' });
    const unread = await this.unreadCount(areaIds, readerId);
    const rows = (await q
      .leftJoin('areas', 'areas.id', 'announcements.area_id')
      .leftJoin('users', 'users.id', 'announcements.author_id')
      .leftJoin('announcement_reads as r', (j) => j.on('r.announcement_id', '=', 'announcements.id').andOn('r.user_id', '=', this.db.raw('?', [readerId])))
      .select('announcements.*', { area_name: 'areas.name', author: 'users.display_name', read_at: 'r.read_at' })
      .orderBy('announcements.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)) as Row[];
    const items: Announcement[] = rows.map((r) => ({
      id: Number(r.id),
      areaId: Number(r.area_id),
      areaName: (r.area_name as string | null) ?? null,
      authorName: (r.author as string | null) ?? null,
      title: String(r.title),
      body: String(r.body),
      createdAt: Number(r.created_at),
      read: toNumberOrNull(r.read_at as number | null) !== null,
      photoUrl: r.photo_path ? `/api/announcements/${Number(r.id)}/photo` : null,
    }));
    return { items, total: Number(count?.n ?? 0), unread };
  }

  async get(id: number): Promise<{ id: number; areaId: number; photo: { path: string; mime: string } | null } | undefined> {
    const r = (await this.db('announcements').where({ id }).first()) as Row | undefined;
    const photo = r?.photo_path ? { path: String(r.photo_path), mime: String(r.photo_mime) } : null;
    return r && { id: Number(r.id), areaId: Number(r.area_id), photo };
  }

  async unreadCount(areaIds: number[] | null, readerId: number): Promise<number> {
    const q = this.db('announcements').whereNotExists((s) =>
      s
        .select(this.db.raw('1'))
        .from('announcement_reads')
        .whereRaw('announcement_reads.announcement_id = announcements.id')
        .where('announcement_reads.user_id', readerId),
    );
    if (areaIds) q.whereIn('area_id', areaIds);
    const [row] = await q.count<{ n: number | string }[]>({ n: 'id' });
    return Number(row?.n ?? 0);
  }

  /** Marks every announcement of the areas as read by the reader (opening the feed reads it). */
  async markAllRead(areaIds: number[] | null, readerId: number, now: number): Promise<number> {
    const q = this.db('announcements')
      .select('id')
      .whereNotExists((s) =>
        s
          .select(this.db.raw('1'))
          .from('announcement_reads')
          .whereRaw('announcement_reads.announcement_id = announcements.id')
          .where('announcement_reads.user_id', readerId),
      );
    if (areaIds) q.whereIn('area_id', areaIds);
    const ids = ((await q) as Row[]).map((r) => Number(r.id));
    for (const id of ids) await this.db('announcement_reads').insert({ announcement_id: id, user_id: readerId, read_at: now });
    return ids.length;
  }
}
