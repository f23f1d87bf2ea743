import { describe, expect, it } from 'vitest';
import { pickLiveSubStream } from '../../../server/ingest/live.substream.js';

const rtsp = { kind: 'rtsp' as const, url: 'rtsp://10.0.0.5/sub', transport: 'tcp' as const };
const base = { recordedCodec: 'hevc', subCodec: 'h264', burnedMasks: false, source: rtsp, url: 'rtsp://u:p@10.0.0.5/sub' };

describe('live video from the sub-stream', () => {
  it('is used when the recording is H.265 and the sub-stream H.264 over RTSP', () => {
    expect(pickLiveSubStream(base)).toEqual({ source: rtsp, url: 'rtsp://u:p@10.0.0.5/sub' });
    // Codec names as ffmpeg reports them and as ONVIF probes store them.
    expect(pickLiveSubStream({ ...base, recordedCodec: 'H265', subCodec: 'H.264' })).not.toBeNull();
  });

  it('is not used when the recording plays in browsers, the sub-stream is not H.264, or unknown', () => {
    expect(pickLiveSubStream({ ...base, recordedCodec: 'h264' })).toBeNull();
    expect(pickLiveSubStream({ ...base, recordedCodec: null })).toBeNull();
    expect(pickLiveSubStream({ ...base, subCodec: 'hevc' })).toBeNull();
    expect(pickLiveSubStream({ ...base, subCodec: 'mjpeg' })).toBeNull();
    expect(pickLiveSubStream({ ...base, subCodec: null })).toBeNull();
    expect(pickLiveSubStream({ ...base, source: { kind: 'mjpeg', url: 'http://10.0.0.5/mjpg' } })).toBeNull();
  });

  it('is not used when masks are burned into the recording (a copy of the sub-stream would show what they hide)', () => {
    expect(pickLiveSubStream({ ...base, burnedMasks: true })).toBeNull();
  });
});
