import type { Principal } from '../auth/authorize.js';
import type { MaskAudience } from '../domain/camera.settings.privacy.js';

/**
 * Who gets the original picture behind "hide from residents" masks: the police (evidence),
 * technicians (they draw and check the masks) and admins. Everyone else — residents, and any
 * role added later — gets the masked picture: failing closed.
 */
export function audienceOf(p: Principal): MaskAudience {
  return p.roles.some((r) => r === 'police' || r === 'admin' || r === 'technician') ? 'staff' : 'resident';
}
