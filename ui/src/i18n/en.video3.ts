import type { viVideo3 } from './vi.video3.js';

/** The multi-camera recording timeline and synced playback (issue 15) in English; see en.ts. */
export const enVideo3: Record<keyof typeof viVideo3, string> = {
  'rec3.compare': 'Compare with other cameras',
  'rec3.wallLink': 'Review these cameras',
  'rec3.title': 'Several cameras’ recordings',
  'rec3.choose': 'Choose cameras (up to {n})',
  'rec3.none': 'Choose at least one camera to see its timeline.',
  'rec3.lane': 'Recording timeline · {name}',
  'rec3.leader': 'leading',
  'rec3.sync': 'Playing in sync from {time}: click another camera’s lane to make it lead.',
  'rec3.subStream': 'Sub-stream: the main stream is H.265, which browsers cannot play',
  'rec3.openOne': 'Open alone',
  'error.no_recording': 'No recording at this moment (a gap, past retention, or still being written).',
  'error.thumbnail_superseded': 'A newer preview was asked for; this one was dropped.',
  'error.thumbnail_cancelled': 'The preview request was cancelled.',
  'error.thumbnail_failed': 'Could not read a picture from the recording at this moment.',
};
