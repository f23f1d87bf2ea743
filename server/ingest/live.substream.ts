import type { SourceSpec } from './stream.source.js';

/** A camera stream a live remux may read directly: its source and URL (with credentials: never logged). */
export interface LiveSubInput {
  source: Extract<SourceSpec, { kind: 'rtsp' }>;
  url: string;
}

const H265 = /^(hevc|h\.?265)$/i;
const H264 = /^(h\.?264|avc1?)$/i;
export const isH265 = (codec: string | null | undefined): boolean => !!codec && H265.test(codec);

/**
 * Whether live video should come from the camera's sub-stream (issue 15): only when the
 * recording (main stream) is H.265, which Chromium's Media Source Extensions cannot play, the
 * sub-stream is H.264 (the codec the session reads, else the one the ONVIF probe stored) and
 * over RTSP, and no "hide from everyone" mask has to be burned in: a stream copy of the
 * sub-stream would show what the masks hide, so those cameras keep the masked JPEG.
 */
export function pickLiveSubStream(p: {
  recordedCodec: string | null;
  subCodec: string | null | undefined;
  burnedMasks: boolean;
  source: SourceSpec;
  url: string;
}): LiveSubInput | null {
  if (!isH265(p.recordedCodec) || p.burnedMasks) return null;
  if (!p.subCodec || !H264.test(p.subCodec) || p.source.kind !== 'rtsp') return null;
  return { source: p.source, url: p.url };
}
