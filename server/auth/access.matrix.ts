import { ACTIONS, ROLES, type Action, type Role } from './authorize.js';

/**
 * Who may do what, as data: role × action → allowed / own-area / denied. The compiler demands
 * a row for every action in ACTIONS, the generated access-matrix test walks every route and
 * socket event and checks each role, a user of another area and an anonymous client against
 * it, and renderAccessMatrixMarkdown() prints it for the README.
 *
 * To add a row: `'thing.do': row('thing', '- Y Y - A -'),` — the six columns are
 * anonymous, admin, police, technician, resident, group leader; Y allowed, A own-area, - denied.
 * A group leader's own area is their areas for footage and announcements they read, and the
 * groups they lead for reports and for posting announcements (access.policy.ts).
 */
export type Access = 'allow' | 'own-area' | 'deny';
export type Subject = 'anonymous' | Role;
export const SUBJECTS: readonly Subject[] = ['anonymous', ...ROLES];

export type ResourceType =
  | 'system'
  | 'session'
  | 'user'
  | 'area'
  | 'audit'
  | 'camera'
  | 'settings'
  | 'event'
  | 'clip'
  | 'alert'
  | 'note'
  | 'comment'
  | 'report'
  | 'announcement'
  | 'realtime'
  | 'notify'
  | 'group'
  | 'public';

/**
 * When a successful request is written to the audit log: `change` (every non-GET success,
 * the default), `view` (also GETs: who viewed or downloaded media), `explicit` (the route
 * writes richer entries itself, e.g. login failures) or `none`.
 */
export type AuditMode = 'change' | 'view' | 'explicit' | 'none';

export interface MatrixRow {
  resource: ResourceType;
  access: Record<Subject, Access>;
  /** A list: own-area means "allowed, and the route filters to the caller's areas". */
  collection: boolean;
  audit: AuditMode;
  summary: string;
}

const CELL: Record<string, Access> = { Y: 'allow', A: 'own-area', '-': 'deny' };

function row(resource: ResourceType, cells: string, summary: string, opts: { collection?: boolean; audit?: AuditMode } = {}): MatrixRow {
  const parts = cells.trim().split(/\s+/);
  if (parts.length !== SUBJECTS.length || parts.some((c) => !(c in CELL))) {
    throw new Error(`access matrix row for ${resource}: "${cells}" needs ${SUBJECTS.length} cells of Y, A or -`);
  }
  const access = Object.fromEntries(SUBJECTS.map((s, i) => [s, CELL[parts[i]!]!])) as Record<Subject, Access>;
  return { resource, access, collection: opts.collection ?? false, audit: opts.audit ?? 'change', summary };
}
const list = { collection: true } as const;

//                                      anon admin police tech resident group-leader
export const ACCESS_MATRIX: Record<Action, MatrixRow> = {
  'health.read': row('system', '           Y Y Y Y Y Y', 'Server health (version, database, camera counts)', { audit: 'none' }),
  'auth.session': row('session', '        Y Y Y Y Y Y', 'Who am I; whether first-run setup is pending', { audit: 'none' }),
  'auth.setup': row('session', '          Y Y Y Y Y Y', 'Create the first admin with the one-time setup code', { audit: 'explicit' }),
  'auth.login': row('session', '          Y Y Y Y Y Y', 'Sign in', { audit: 'explicit' }),
  'auth.logout': row('session', '         - Y Y Y Y Y', 'Sign out', { audit: 'explicit' }),
  'auth.password': row('session', '       - Y Y Y Y Y', 'Change own password', { audit: 'explicit' }),
  'preferences.own': row('session', '     - Y Y Y Y Y', 'Read and save own preferences (the wall layout)', { audit: 'none' }),
  'user.list': row('user', '              - Y Y - - -', 'List users', list),
  'user.read': row('user', '              - Y Y - - -', 'Read a user'),
  'user.create': row('user', '            - Y - - - -', 'Create a user', { audit: 'explicit' }),
  'user.update': row('user', '            - Y - - - -', 'Change roles, areas, name; disable', { audit: 'explicit' }),
  'user.password': row('user', '          - Y - - - -', "Reset a user's password", { audit: 'explicit' }),
  'area.list': row('area', '              - Y Y Y A A', 'List areas', list),
  'area.create': row('area', '            - Y - - - -', 'Create an area'),
  'area.update': row('area', '            - Y - - - -', 'Rename an area, change its kind and its target time for feedback'),
  'audit.list': row('audit', '            - Y Y - - -', 'Read the audit log', list),
  'audit.verify': row('audit', '          - Y Y - - -', 'Verify the audit hash chain'),
  'camera.list': row('camera', '          - Y Y Y - -', 'List cameras and their state', list),
  'camera.read': row('camera', '          - Y Y Y - -', 'Read a camera'),
  'camera.create': row('camera', '        - Y - Y - -', 'Register a camera (technicians: unassigned or in their areas, events internal)'),
  'camera.update': row('camera', '        - Y - A - -', "Change a camera's streams, zones, credentials (technicians: their areas' and unassigned cameras)"),
  'camera.delete': row('camera', '        - Y - A - -', 'Remove a camera'),
  'camera.publish': row('camera', '       - Y Y - - -', 'Move a camera to another area; share its new events with residents'),
  'camera.live': row('camera', '          - Y Y A - -', "Live picture (technicians: their areas' and unassigned cameras)", { audit: 'none' }),
  'camera.discover': row('camera', '      - Y - Y - -', 'Discover cameras on the network (only allowed address ranges)'),
  'camera.probe': row('camera', '         - Y - Y - -', 'Probe an address, try credentials, test a stream URL (only allowed address ranges)'),
  'camera.test': row('camera', '          - Y - A - -', "Test a registered camera's connection (technicians: their areas' and unassigned cameras)"),
  'camera.ptz': row(
    'camera',
    '           - Y Y A - -',
    "Move a PTZ camera, go to or save presets, start or stop its guard tour (technicians: their areas' and unassigned cameras)",
  ),
  'settings.read': row('settings', '      - Y - - - -', 'Read server settings (the address ranges cameras may be at)'),
  'settings.update': row('settings', '    - Y - - - -', 'Change server settings'),
  'event.list': row('event', '            - Y Y - A A', 'List events', list),
  'event.read': row('event', '            - Y Y - A A', 'Read an event'),
  'event.snapshot': row('event', '        - Y Y - A A', 'View an event snapshot', { audit: 'view' }),
  'event.update': row('event', '          - Y Y - - -', 'Pin, relabel an event'),
  'event.share': row('event', '           - Y Y - - -', 'Share an event with residents (or withdraw it)'),
  'clip.list': row('clip', '              - Y Y - A A', 'List clips', list),
  'clip.read': row('clip', '              - Y Y - A A', 'Play a clip', { audit: 'view' }),
  'clip.download': row('clip', '          - Y Y - - -', 'Download a clip file', { audit: 'view' }),
  'clip.export': row('clip', '            - Y Y - - -', 'Export a time range as evidence'),
  'alert.list': row('alert', '            - Y Y - A A', 'List alerts', list),
  'alert.read': row('alert', '            - Y Y - A A', 'Read an alert and what the police did'),
  'alert.update': row('alert', '          - Y Y - - -', 'Acknowledge, assign, resolve, false alarm'),
  'note.list': row('note', '              - Y Y - A A', 'Read notes (residents: public notes only)', list),
  'note.create': row('note', '            - Y Y - - -', 'Write an internal or public note'),
  'comment.list': row('comment', '        - Y Y - A A', "Read residents' comments and flags", list),
  'comment.create': row('comment', '      - Y Y - A A', 'Comment on or flag an event'),
  'report.list': row(
    'report',
    '          - Y A - A A',
    "Residents' reports (tin báo): police of the area; group leaders their groups'; residents their own",
    list,
  ),
  'report.read': row('report', '          - Y A - A A', 'Read a report with its public notes (police: also internal notes, evidence)'),
  'report.photo': row('report', '         - Y A - A A', "View a report's photo", { audit: 'view' }),
  'report.create': row('area', '          - Y A - A A', 'File a report in one of own areas (group leaders: also for someone else, in their groups)'),
  'report.update': row('report', '        - Y A - - -', 'Receive, verify, close (handled, unfounded, forwarded), assign a report'),
  'report.note': row('report', '          - Y A - - -', 'Write a public or internal note on a report'),
  'report.footage': row('report', '       - Y A - - -', "Nearby cameras' recordings around a report's time"),
  'report.evidence': row('report', '      - Y A - - -', "Attach a nearby camera's footage to a report as evidence (pinned, hashed export)"),
  'report.evaluation': row('report', '    - Y A - - -', 'Evaluation per area and period (JSON, CSV, printable page) and the commendation list', list),
  'announcement.list': row('announcement', ' - Y A - A A', 'Area announcements (own areas, the areas under and above them) with the unread count', list),
  'announcement.create': row('area', '       - Y A - - A', 'Post an announcement to an area (its residents and those of the areas under it)'),
  'announcement.read': row('announcement', ' - Y A - A A', 'Mark the announcements feed read', list),
  'announcement.photo': row('announcement', '- Y A - A A', "View an announcement's photo (whoever the announcement reaches)", { audit: 'view' }),
  'commendation.optout': row('user', '      - Y Y Y Y Y', 'Opt out of (or back into) being named on the commendation list'),
  'group.list': row('group', '            - Y Y - - A', 'Community groups with their members (group leaders: the groups they lead)', list),
  'group.manage': row('area', '          - Y - - - -', 'Add or remove a group member, make them landlord or group leader'),
  'reportlink.manage': row('area', '     - Y A - - -', "Switch an area's anonymous report link on (a new link) or off (revoked)"),
  'public.report': row('public', '       Y Y Y Y Y Y', "File a report through an area's public link (no account; rate-limited per address and per link)"),
  'public.status': row('public', '       Y Y Y Y Y Y', 'Follow a report filed through a public link with its reference number and secret', { audit: 'none' }),
  'camera.notify': row('public', '       Y Y Y Y Y Y', "A camera's Notify post (ONVIF base notification) to its subscription's secret URL", { audit: 'none' }),
  'realtime.subscribe': row('realtime', ' - Y Y Y Y Y', 'Live updates (only rooms the user may see)', { audit: 'none' }),
  'notify.admin': row('notify', '         - Y - - - -', 'Notification channels, webhook endpoints, delivery log, dead letters and their retry'),
  'notify.rules': row('notify', '         - Y Y Y Y Y', "Read and change one's own notification rules"),
};

const SYMBOL: Record<Access, string> = { allow: '✅', 'own-area': '🏘️ own area', deny: '—' };

/** The matrix as a markdown table for the README. */
export function renderAccessMatrixMarkdown(): string {
  const head = ['Action', 'What', 'Anonymous', 'Admin', 'Police', 'Technician', 'Resident', 'Group leader'];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const action of ACTIONS) {
    const r = ACCESS_MATRIX[action];
    lines.push(`| \`${action}\` | ${r.summary} | ${SUBJECTS.map((s) => SYMBOL[r.access[s]]).join(' | ')} |`);
  }
  return [
    ...lines,
    '',
    "✅ allowed · 🏘️ own area: only things in the user's areas (and the areas under them) that the police shared:",
    'shared events with their snapshots, clips and alerts, public notes, and comments on shared events; for technicians,',
    'cameras in their areas and cameras not yet assigned to an area; for group leaders, the reports of the groups they lead',
    '(and posting announcements to them) · — refused',
    '(401 when not signed in, 403 otherwise). A user with several roles gets the union of them. Every successful',
    'change (for cameras with the fields changed and their values, credentials only as "changed"), every view or',
    'download of a snapshot or clip, every refusal of a signed-in user and every sign-in attempt is written to the',
    'hash-chained audit log; repeated refusals once per address or user and minute, with a count.',
  ].join('\n');
}
