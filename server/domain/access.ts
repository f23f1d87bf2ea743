/** The roles a user can hold (what each may do is auth/access.matrix.ts). */
export const ROLES = ['admin', 'police', 'technician', 'resident'] as const;
export type Role = (typeof ROLES)[number];
