import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACCESS_MATRIX, renderAccessMatrixMarkdown, SUBJECTS } from '../../../server/auth/access.matrix.js';
import { areaChain, can, canSee, expandAreaScope, listScope, mayAttempt } from '../../../server/auth/access.policy.js';
import { ACTIONS, type Principal, type ResourceRef, type Role } from '../../../server/auth/authorize.js';

// commune 1 → hamlet A (2) → group A1 (3); commune 1 → hamlet B (4)
const AREAS = [
  { id: 1, parentId: null },
  { id: 2, parentId: 1 },
  { id: 3, parentId: 2 },
  { id: 4, parentId: 1 },
];
const C = 1,
  A = 2,
  A1 = 3,
  B = 4;

function user(roles: Role[], areaIds: number[] = []): Principal {
  return { kind: 'user', ip: '10.0.0.5', userId: 7, username: 'u', roles, areaIds, areaScope: expandAreaScope(AREAS, areaIds), sessionHash: 'f'.repeat(64) };
}
const loopback: Principal = { kind: 'loopback', ip: '127.0.0.1', roles: [], areaIds: [] };

const ev = (areaId: number, visibility: 'shared' | 'internal'): ResourceRef => ({ type: 'event', id: 1, areaId, visibility });

describe('access matrix data', () => {
  it('has a row for every action with a cell for every subject', () => {
    expect(Object.keys(ACCESS_MATRIX).sort()).toEqual([...ACTIONS].sort());
    for (const a of ACTIONS) expect(Object.keys(ACCESS_MATRIX[a].access).sort()).toEqual([...SUBJECTS].sort());
  });

  it('lets anonymous clients only read health, see their session, sign in, file and follow a report through a public link, and (cameras) post Notify to a secret URL', () => {
    const open = ACTIONS.filter((a) => ACCESS_MATRIX[a].access.anonymous !== 'deny');
    expect(open.sort()).toEqual(['auth.login', 'auth.session', 'auth.setup', 'camera.notify', 'health.read', 'public.report', 'public.status']);
  });

  it('renders a markdown table with a line per action', () => {
    const md = renderAccessMatrixMarkdown();
    expect(md).toMatch(/^\| Action \| What \| Anonymous \| Admin \| Police \| Technician \| Resident \| Group leader \|/);
    for (const a of ACTIONS) expect(md).toContain(`| \`${a}\` |`);
    expect(md).toMatch(/\| `clip.export` \| [^|]+\| — \| ✅ \| ✅ \| — \| — \| — \|/);
  });

  it('is the table in the README (node scripts/update-readme.mjs refreshes it)', () => {
    const readme = readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain(renderAccessMatrixMarkdown());
  });
});

describe('policy: roles', () => {
  it('is not fooled by a loopback client: it is anonymous', () => {
    expect(can(loopback, 'camera.list')).toBe(false);
    expect(can(loopback, 'health.read')).toBe(true);
  });

  it('gives police every area and the workflow, but not camera registration or users', () => {
    const p = user(['police']);
    expect(canSee(p, ev(B, 'internal'))).toBe(true);
    expect(can(p, 'alert.update', { type: 'alert', areaId: A, visibility: 'internal' })).toBe(true);
    expect(can(p, 'clip.export')).toBe(true);
    expect(can(p, 'camera.create')).toBe(false);
    expect(can(p, 'user.create')).toBe(false);
  });

  it('keeps technicians to cameras, discovery and health: no events, clips, alerts, notes or server settings', () => {
    const t = user(['technician'], [A]);
    for (const a of ['camera.list', 'camera.create', 'camera.discover', 'camera.probe', 'health.read'] as const) expect(can(t, a), a).toBe(true);
    // The camera address ranges decide where the server may connect: an admin's decision (issue 12).
    expect(can(t, 'settings.update')).toBe(false);
    expect(canSee(t, ev(A, 'shared'))).toBe(false);
    expect(canSee(t, { type: 'clip', areaId: A, visibility: 'shared' })).toBe(false);
    expect(canSee(t, { type: 'alert', areaId: A, visibility: 'shared' })).toBe(false);
    expect(mayAttempt(t, 'event.list')).toBe(false);
  });

  it('gives a technician who is also a resident the union of both', () => {
    const tr = user(['technician', 'resident'], [A]);
    expect(can(tr, 'camera.update', { type: 'camera', areaId: A })).toBe(true);
    expect(canSee(tr, ev(A, 'shared'))).toBe(true);
    expect(canSee(tr, ev(B, 'shared'))).toBe(false);
  });

  it('lets technicians act on cameras of their areas and unassigned ones only, and never publish (issue 12)', () => {
    const tech = user(['technician'], [A]);
    expect(can(tech, 'camera.update', { type: 'camera', areaId: A })).toBe(true);
    expect(can(tech, 'camera.update', { type: 'camera', areaId: null })).toBe(true);
    expect(can(tech, 'camera.update', { type: 'camera', areaId: B })).toBe(false);
    expect(can(tech, 'camera.delete', { type: 'camera' })).toBe(false); // no area given: fail closed
    expect(can(tech, 'camera.publish', { type: 'camera', areaId: A })).toBe(false);
    for (const a of ['camera.live', 'camera.test'] as const) {
      expect(can(tech, a, { type: 'camera', areaId: A }), a).toBe(true);
      expect(can(tech, a, { type: 'camera', areaId: null }), a).toBe(true);
      expect(can(tech, a, { type: 'camera', areaId: B }), a).toBe(false);
    }
    expect(can(user(['police']), 'camera.publish', { type: 'camera', areaId: B })).toBe(true);
    // unassigned cameras are not "own area" for residents: they have no camera rights at all
    expect(can(user(['resident'], [A]), 'camera.read', { type: 'camera', areaId: null })).toBe(false);
  });

  it('refuses a user without roles everything but the public actions', () => {
    const none = user([]);
    expect(can(none, 'auth.logout')).toBe(false);
    expect(can(none, 'camera.list')).toBe(false);
  });
});

describe('policy: residents and areas', () => {
  const rA = user(['resident'], [A]);

  it('shows a resident shared events of their hamlet and the groups under it, never internal ones', () => {
    expect(canSee(rA, ev(A, 'shared'))).toBe(true);
    expect(canSee(rA, ev(A1, 'shared'))).toBe(true);
    expect(canSee(rA, ev(A, 'internal'))).toBe(false);
  });

  it('refuses a resident of hamlet A the clip, snapshot, alert, note or comment of hamlet B', () => {
    expect(can(rA, 'clip.read', { type: 'clip', id: 9, areaId: B, visibility: 'shared' })).toBe(false);
    expect(can(rA, 'event.snapshot', ev(B, 'shared'))).toBe(false);
    expect(can(rA, 'alert.read', { type: 'alert', id: 9, areaId: B, visibility: 'shared' })).toBe(false);
    expect(canSee(rA, { type: 'note', id: 9, areaId: B, visibility: 'public', eventVisibility: 'shared' })).toBe(false);
    expect(canSee(rA, { type: 'comment', id: 9, areaId: B, eventVisibility: 'shared' })).toBe(false);
  });

  it('a resident of the parent commune sees both hamlets; one of a sub-group does not see its hamlet', () => {
    expect(canSee(user(['resident'], [C]), ev(B, 'shared'))).toBe(true);
    expect(canSee(user(['resident'], [A1]), ev(A, 'shared'))).toBe(false);
  });

  it('shows residents public notes of shared events only', () => {
    expect(canSee(rA, { type: 'note', areaId: A, visibility: 'public', eventVisibility: 'shared' })).toBe(true);
    expect(canSee(rA, { type: 'note', areaId: A, visibility: 'internal', eventVisibility: 'shared' })).toBe(false);
    expect(canSee(rA, { type: 'note', areaId: A, visibility: 'public', eventVisibility: 'internal' })).toBe(false);
    expect(canSee(rA, { type: 'note', areaId: A, visibility: 'public' })).toBe(false);
  });

  it('lets residents comment on shared events of their area but not export, download or share', () => {
    expect(can(rA, 'comment.create', { type: 'event', areaId: A, visibility: 'shared' })).toBe(true);
    expect(can(rA, 'comment.create', { type: 'event', areaId: B, visibility: 'shared' })).toBe(false);
    expect(can(rA, 'clip.download', { type: 'clip', areaId: A, visibility: 'shared' })).toBe(false);
    expect(can(rA, 'clip.export')).toBe(false);
    expect(can(rA, 'event.share', ev(A, 'shared'))).toBe(false);
    expect(can(rA, 'camera.list')).toBe(false);
  });

  it('fails closed: an own-area action on one thing without a resource, unknown types, missing areas', () => {
    expect(can(rA, 'event.read')).toBe(false);
    expect(can(rA, 'event.list')).toBe(true); // a list: the route filters with listScope
    expect(can(rA, 'event.read', { type: 'mystery', areaId: A, visibility: 'shared' })).toBe(false);
    expect(can(rA, 'event.read', { type: 'event', areaId: null, visibility: 'shared' })).toBe(false);
  });

  it('lists are scoped: everything for police, own areas for residents, nothing for technicians', () => {
    expect(listScope(user(['police']), 'event.list')).toEqual({ all: true });
    expect(listScope(rA, 'event.list')).toEqual({ all: false, areaIds: [A, A1] });
    expect(listScope(user(['technician'], [A]), 'event.list')).toEqual({ all: false, areaIds: [] });
  });

  it('computes area chains and scopes, ignoring unknown areas and cycles', () => {
    expect(areaChain(AREAS, A1)).toEqual([A1, A, C]);
    expect(expandAreaScope(AREAS, [A, 99])).toEqual([A, A1]);
    expect(
      areaChain(
        [
          { id: 1, parentId: 2 },
          { id: 2, parentId: 1 },
        ],
        1,
      ),
    ).toEqual([1, 2]);
  });
});

describe('policy: group leaders (issue 13)', () => {
  // A resident of group A1 who leads it; also a plain member of hamlet B.
  const leader: Principal = { ...user(['resident', 'group_leader'], [A1, B]), leadScope: expandAreaScope(AREAS, [A1]) };
  const report = (areaId: number, ownerId: number | null, extra: Partial<ResourceRef> = {}): ResourceRef => ({
    type: 'report',
    id: 9,
    areaId,
    ownerId,
    ...extra,
  });

  it('sees every report of the group they lead, and only their own elsewhere, even in their other areas', () => {
    expect(can(leader, 'report.read', report(A1, 99))).toBe(true);
    expect(can(leader, 'report.photo', report(A1, 99))).toBe(true);
    expect(can(leader, 'report.read', report(B, 99))).toBe(false); // a member of B, not its leader
    expect(can(leader, 'report.read', report(A, 99))).toBe(false); // the hamlet above the group
    expect(can(leader, 'report.read', report(B, 7))).toBe(true); // their own
    expect(can(leader, 'report.update', report(A1, 99))).toBe(false); // triage stays with the police
  });

  it('files for someone else only in the group they lead; a resident never', () => {
    const onBehalf = (areaId: number): ResourceRef => ({ type: 'report', areaId, ownerId: 7, onBehalf: true });
    expect(can(leader, 'report.create', onBehalf(A1))).toBe(true);
    expect(can(leader, 'report.create', onBehalf(B))).toBe(false);
    expect(can(user(['resident'], [A1]), 'report.create', onBehalf(A1))).toBe(false);
  });

  it('posts announcements to the group they lead only, and lists the groups they lead', () => {
    expect(can(leader, 'announcement.create', { type: 'area', id: A1, areaId: A1 })).toBe(true);
    expect(can(leader, 'announcement.create', { type: 'area', id: B, areaId: B })).toBe(false);
    expect(listScope(leader, 'group.list')).toEqual({ all: false, areaIds: [A1] });
    expect(listScope(user(['resident'], [A1]), 'group.list')).toEqual({ all: false, areaIds: [] });
  });

  it('without a group to lead, the role gives nothing', () => {
    const none: Principal = { ...user(['group_leader'], [A1]), leadScope: [] };
    expect(can(none, 'report.read', report(A1, 99))).toBe(false);
    expect(can(none, 'announcement.create', { type: 'area', id: A1, areaId: A1 })).toBe(false);
  });
});

describe('policy: announcement photos', () => {
  const photo = (areaId: number): ResourceRef => ({ type: 'announcement', id: 1, areaId, reach: expandAreaScope(AREAS, [areaId]) });

  it('reach whoever the announcement reaches: its area, the areas under it, and residents of those', () => {
    const groupMember = user(['resident'], [A1]);
    expect(can(groupMember, 'announcement.photo', photo(C))).toBe(true); // the commune's reaches every group
    expect(can(groupMember, 'announcement.photo', photo(A))).toBe(true);
    expect(can(groupMember, 'announcement.photo', photo(B))).toBe(false);
    expect(can(user(['resident'], [A]), 'announcement.photo', photo(A1))).toBe(true); // a group under the hamlet
    expect(can(user(['technician'], [A]), 'announcement.photo', photo(A))).toBe(false);
  });
});
