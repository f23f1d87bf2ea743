import type { viAdmin } from './vi.admin.js';

/** The administration pages in English: the same keys as vi.admin.ts (the compiler checks). */
export const enAdmin: Record<keyof typeof viAdmin, string> = {
  'users.title': 'Accounts',
  'users.add': 'Add an account',
  'users.create': 'Create account',
  'users.editTitle': 'Edit account {name}',
  'users.active': 'active',
  'users.disabled': 'disabled',
  'users.disable': 'Disable',
  'users.enable': 'Enable',
  'users.resetPassword': 'Reset password',
  'users.newPasswordFor': 'New password for {name}',

  'areas.title': 'Areas',
  'areas.add': 'Add an area',
  'areas.create': 'Add',
  'areas.parent': 'Part of',
  'areas.noParent': '— Top level —',
  'areas.kind': 'Kind of area',
  'areas.rename': 'Rename',

  'settings.title': 'Settings',
  'settings.network.title': 'Camera address ranges',
  'settings.network.intro':
    'The server connects to cameras (test connection, ONVIF, discovery, video streams) only at allowed addresses. By default it refuses its own addresses (loopback and this computer’s addresses) and link-local ones, which include 169.254.169.254. The simulated demo camera is always allowed.',
  'settings.network.allow': 'Allowed ranges (one per line)',
  'settings.network.deny': 'Refused ranges (one per line)',
  'settings.network.rule':
    'For example 192.168.1.0/24, 10.0.0.5 or fe80::/10. When an address is in several ranges the narrowest decides; between two equally wide ranges the allowed one wins. Addresses in no range are allowed.',
  'settings.network.defaults': 'The defaults from the configuration file are in force.',
  'settings.network.saved': 'Saved at {time}.',
  'settings.network.reset': 'Back to defaults',
  'settings.network.badRange': '“{entry}” in “{list}” is not an address range (for example 192.168.1.0/24 or fe80::/10).',

  'audit.title': 'Audit log',
  'audit.verify': 'Check integrity',
  'audit.checking': 'Checking the chain…',
  'audit.chainOk': 'The log chain is intact ({n} entries checked).',
  'audit.chainBroken': 'The log chain was altered from entry {id} ({n} entries checked).',
  'audit.chainTruncated': 'The newest log entries were deleted, from entry {id} on ({n} entries checked).',
  'audit.anchorInvalid': "The log's anchor file is invalid: edited, or the audit key was replaced.",
  'audit.anchor': 'Anchor outside the database: entry {id}, written {time}.',
  'audit.anchorMissing': 'No anchor file yet: deleted newest entries cannot be detected yet.',
  'audit.head': 'Newest hash:',
  'audit.time': 'Time',
  'audit.who': 'Who',
  'audit.action': 'Action',
  'audit.resource': 'On',
  'audit.detail': 'Detail',
};
