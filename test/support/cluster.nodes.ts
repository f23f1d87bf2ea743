import { spawnSync } from 'node:child_process';
import { freePort, getJson, startNode as startBenchNode, type BenchNode } from '../../server/bench/cluster.nodes.js';
import { CLI } from './procs.js';

/** A `binhyen serve` process as one node of a cluster, on loopback, its last log lines kept (`tail`): the bench's own. */
export type NodeProc = BenchNode;
export { freePort, getJson };
export const startNode = (id: string, port: number, env: Record<string, string>): NodeProc => startBenchNode(id, port, env, CLI);

/** A still grey picture, 5 minutes (longer than a test: a loop's timestamp jump is not what it is about); ffmpeg's exit code. */
export function encodeGreyClip(file: string): number | null {
  const args = ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0x707070:size=320x180:rate=10', '-t', '300'];
  return spawnSync('ffmpeg', [...args, '-c:v', 'libx264', '-preset', 'veryfast', '-g', '10', '-bf', '0', '-y', file]).status;
}
