import { describe, expect, it } from 'vitest';
import type { PrivacyMask } from '../../../server/domain/camera.settings.privacy.js';
import { PrivacyMasker, type PrivacyMaskerDeps } from '../../../server/privacy/privacy.masker.js';
import { silentLogger } from '../../../server/shared/log.js';

const residents: PrivacyMask = {
  points: [
    [0.1, 0.1],
    [0.5, 0.1],
    [0.3, 0.6],
  ],
  hide: 'residents',
};
const everyone: PrivacyMask = { ...residents, hide: 'everyone' };
const original = Buffer.from('original jpeg');

/** A masker over a stand-in ffmpeg that records its calls and answers `reply`. */
function maskerWith(masks: PrivacyMask[] | null, reply: { code: number; stdout: Buffer }) {
  const calls: string[][] = [];
  const ffmpeg: PrivacyMaskerDeps['ffmpeg'] = {
    exec: async (args) => {
      calls.push(args);
      return { ...reply, signal: null, stderr: 'x', timedOut: false, missing: false, aborted: false };
    },
  };
  const masker = new PrivacyMasker({ ffmpeg, files: {} as PrivacyMaskerDeps['files'], masksOf: async () => masks, log: silentLogger });
  return { masker, calls };
}

describe('the privacy masker', () => {
  it('gives staff the original bytes without running ffmpeg, and residents the masked picture', async () => {
    const { masker, calls } = maskerWith([residents], { code: 0, stdout: Buffer.from('masked') });
    expect(await masker.jpeg(1, original, 'staff', 'snapshot')).toBe(original);
    expect(calls).toHaveLength(0);
    expect((await masker.jpeg(1, original, 'resident', 'snapshot')).toString()).toBe('masked');
    expect(calls[0]!.join(' ')).toMatch(/-vf drawbox=/);
  });

  it('draws "hide from everyone" masks on snapshots for staff, not on what ffmpeg already masked (live, clips)', async () => {
    const { masker, calls } = maskerWith([everyone], { code: 0, stdout: Buffer.from('masked') });
    expect((await masker.jpeg(1, original, 'staff', 'snapshot')).toString()).toBe('masked');
    expect(await masker.jpeg(1, original, 'staff', 'live')).toBe(original);
    expect(calls).toHaveLength(1);
  });

  it('never hands a resident the original when masking fails or the masks cannot be read', async () => {
    const failing = maskerWith([residents], { code: 1, stdout: Buffer.alloc(0) });
    await expect(failing.masker.jpeg(1, original, 'resident', 'snapshot')).rejects.toMatchObject({ code: 'privacy_mask_failed', status: 503 });
    const unreadable = maskerWith(null, { code: 0, stdout: Buffer.from('masked') });
    await expect(unreadable.masker.jpeg(1, original, 'resident', 'live')).rejects.toMatchObject({ code: 'privacy_mask_failed' });
    expect(await unreadable.masker.jpeg(1, original, 'staff', 'live')).toBe(original);
  });
});
