import type { viMasks } from './vi.masks.js';

/** Privacy masks (issue 17) in English; see en.ts. */
export const enMasks: Record<keyof typeof viMasks, string> = {
  'masks.add': 'Draw privacy mask',
  'masks.privacy': 'Privacy mask',
  'masks.hide': 'Hide from',
  'masks.hideResidents': 'Hide from residents',
  'masks.hideEveryone': 'Hide from everyone (recording too)',
  'masks.help':
    'Privacy mask: residents see this area blacked out; the police still see the original. Choose "hide from everyone" to black it out in the recording too (costs extra CPU).',
  'error.privacy_mask_failed': 'The privacy masks could not be applied to this picture or video. Please try again.',
};
