import { accessFor } from '../auth/access.policy.js';
import type { Authorizer, Principal } from '../auth/authorize.js';
import type { AnnouncementMessage, ReportMessage } from '../domain/report.js';
import type { AnnouncementPublisher } from '../reports/announcement.service.js';
import type { ReportPublisher } from '../reports/report.service.js';
import { onAuthorized, ROOMS, type AppIo, type AppSocket } from './socket.server.js';

/** The police rooms a report is pushed to: everything (admins) and the report's own area. */
const staffRooms = (areaId: number) => [ROOMS.reportsAll, ROOMS.reportsArea(areaId)];

/** The group leaders' rooms a report of this area reaches: its group and every group above it hear it in the reporter's view. */
const groupRooms = (areaIds: readonly number[]) => areaIds.map((id) => ROOMS.reportsGroup(id));

/**
 * Admins hear every report; police those of their areas (and the areas under them); group
 * leaders those of the groups they lead, in the reporter's view. Residents only their own,
 * through their user room.
 */
export function reportRoomsOf(p: Principal): string[] {
  if (accessFor(p, 'report.list') === 'allow') return [ROOMS.reportsAll];
  const police = p.roles.includes('police') ? (p.areaScope ?? p.areaIds).map((id) => ROOMS.reportsArea(id)) : [];
  const leader = p.roles.includes('group_leader') ? groupRooms(p.leadScope ?? []) : [];
  return [...police, ...leader];
}

/**
 * Pushes reports: `report:new` and every change to the police rooms of the report's area; public
 * changes (state, public notes) also to the reporter's own sockets, in the reporter's view
 * (never internal notes, assignee or evidence).
 */
export class ReportRealtime implements ReportPublisher {
  constructor(private readonly io: AppIo) {}

  created(full: ReportMessage, pub: ReportMessage): void {
    const staff = staffRooms(full.areaId);
    this.io.to(staff).emit('report:new', full);
    this.io
      .to(groupRooms([full.areaId]))
      .except(staff)
      .emit('report:new', pub);
  }

  updated(full: ReportMessage, pub: ReportMessage, reporterId: number | null, publicChange: boolean): void {
    const staff = staffRooms(full.areaId);
    this.io.to(staff).emit('report:updated', full);
    if (!publicChange) return;
    const rooms = [...groupRooms([full.areaId]), ...(reporterId !== null ? [ROOMS.user(reporterId)] : [])];
    this.io.to(rooms).except(staff).emit('report:updated', pub);
  }
}

/** `reports:subscribe` joins the police and group leaders' report rooms the user may hear (none for residents: their user room already hears their own). */
export function registerReportSocketHandlers(socket: AppSocket, authorizer: Authorizer): void {
  onAuthorized(socket, authorizer, 'reports:subscribe', async (s, _req, ack) => {
    const rooms = reportRoomsOf(s.data.principal);
    if (rooms.length) await s.join(rooms);
    ack({ ok: true, data: { rooms: rooms.length } });
  });
}

/** Announcements to the rooms of the area they were posted to and every area under it. */
export class AnnouncementRealtime implements AnnouncementPublisher {
  constructor(private readonly io: AppIo) {}

  announced(msg: AnnouncementMessage, areaIds: number[]): void {
    this.io.to([ROOMS.announcementsAll, ...areaIds.map((id) => ROOMS.announcementsArea(id))]).emit('announcement:new', msg);
  }
}

/** `announcements:subscribe`: admins hear all; everyone else the areas they are in (and below). */
export function registerAnnouncementSocketHandlers(socket: AppSocket, authorizer: Authorizer): void {
  onAuthorized(socket, authorizer, 'announcements:subscribe', async (s, _req, ack) => {
    const p = s.data.principal;
    const rooms =
      accessFor(p, 'announcement.list') === 'allow' ? [ROOMS.announcementsAll] : (p.areaScope ?? p.areaIds).map((id) => ROOMS.announcementsArea(id));
    if (rooms.length) await s.join(rooms);
    ack({ ok: true, data: { rooms: rooms.length } });
  });
}
