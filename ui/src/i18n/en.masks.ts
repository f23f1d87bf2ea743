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
  'camEvents.title': 'Camera events (ONVIF)',
  'camEvents.noOnvif': 'This camera has no ONVIF address: its own events cannot be received.',
  'camEvents.subscribe': "Receive the camera's events (motion, tamper, line crossing…)",
  'camEvents.action': 'When the camera reports an event',
  'camEvents.wake': 'Wake object detection',
  'camEvents.event': 'Raise an event of its own (labelled with the topic)',
  'camEvents.wakeSeconds': 'Detect for (seconds)',
  'camEvents.topics': 'Topics that count (one per line)',
  'camEvents.topicsHelp': 'A part of the topic, e.g. CellMotionDetector, Tamper, LineDetector. Empty: every topic.',
};
