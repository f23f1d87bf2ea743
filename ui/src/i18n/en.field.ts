import type { viField } from './vi.field.js';

/** Cameras in the field in English: the same keys as vi.field.ts (the compiler checks). */
export const enField: Record<keyof typeof viField, string> = {
  'probe.warnTitle': 'The camera is usable, with {n} notes:',
  'probe.warn.refused': '{call}: the camera refused this request ({detail}).',
  'probe.warn.bad_reply': '{call}: the camera answered in a broken format; skipped ({detail}).',
  'probe.warn.no_answer': '{call}: the camera did not answer in time; skipped.',
  'probe.warn.not_allowed': '{call}: this account may not use this function on the camera.',
  'probe.warn.no_clock': 'The camera did not report its time; its clock offset is unknown.',
  'probe.warn.profile_unusable': 'A video profile cannot be used ({detail}).',
  'probe.warn.no_stream_uri': '{call}: {detail} — this stream is skipped.',
  'probe.warn.snapshot_address_refused': 'The snapshot address the camera gave is not allowed; skipped.',
  'probe.warn.h265_profile': 'Stream {detail} is H.265: browsers cannot play it live; pick an H.264 stream for viewing.',
  'discover.registeredChannel': 'Registered: channel {channel}',
  'discover.chooseChannel': 'Add another channel',
  'discover.sameHost': 'A camera registered by stream URL uses this IP',
  'probe.warn.other': '{call}: {detail}',
};
