import type { viCluster } from './vi.cluster.js';

/** English for vi.cluster.ts (same keys, checked by the compiler). */
export const enCluster: Record<keyof typeof viCluster, string> = {
  'cluster.title': 'Server cluster',
  'cluster.single': 'This server runs on its own, not in a cluster.',
  'cluster.intro': 'Each camera is handled by exactly one server. When a server stops, its cameras move to another within half a minute.',
  'cluster.answeredBy': 'Answered by server {node}',
  'cluster.nodes': 'Servers',
  'cluster.node': 'Server',
  'cluster.state': 'State',
  'cluster.alive': 'Running',
  'cluster.dead': 'Not heard from',
  'cluster.heartbeat': 'Last heartbeat',
  'cluster.version': 'Version',
  'cluster.cpu': 'CPU',
  'cluster.cameraCount': 'Cameras',
  'cluster.cameras': 'Which server runs which camera',
  'cluster.camera': 'Camera',
  'cluster.owner': 'Server',
  'cluster.pinned': 'Pinned to',
  'cluster.nobody': 'No server has it yet',
  'cluster.jobs': 'Work done once for the whole cluster',
  'cluster.job': 'Work',
  'cluster.job.notify': 'Sending notifications',
  'error.not_clustered': 'This server is not part of a cluster.',
  'error.fenced': 'This server no longer handles that camera, so the write was refused.',
  'error.media_unreachable': 'This video is on server {node}, which cannot be reached now. Please try again later.',
};
