/**
 * The roles a user can hold (what each may do is auth/access.matrix.ts). `group_leader` is never
 * assigned by hand: a user holds it while they lead a community group (user_areas.member_role).
 */
export const ROLES = ['admin', 'police', 'technician', 'resident', 'group_leader'] as const;
export type Role = (typeof ROLES)[number];
/** The roles an admin assigns on the users page and the CLI. */
export const ASSIGNABLE_ROLES = ['admin', 'police', 'technician', 'resident'] as const satisfies readonly Role[];

/** What a member is in an area or group: a resident member, a landlord (boarding houses) or the group's leader. */
export const MEMBER_ROLES = ['member', 'landlord', 'leader'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/**
 * Areas keep their hierarchy (commune → ward/hamlet/quarter → group); the group kinds are the
 * movement's models: tổ nhân dân tự quản, nhà trọ (văn minh), xóm đạo, câu lạc bộ điểm sáng biên
 * giới, doanh nghiệp/khu công nghiệp, khác.
 */
export const AREA_KINDS = [
  'commune',
  'ward',
  'hamlet',
  'quarter',
  'residents_group',
  'boarding_house',
  'parish',
  'border_club',
  'enterprise',
  'other_group',
] as const;
export type AreaKind = (typeof AREA_KINDS)[number];
export const GROUP_KINDS: readonly AreaKind[] = ['residents_group', 'boarding_house', 'parish', 'border_club', 'enterprise', 'other_group'];
