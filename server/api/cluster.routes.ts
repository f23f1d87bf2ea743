import { Router } from 'express';
import { z } from 'zod';
import { addAuditDetail, authorize, type Authorizer } from '../auth/authorize.js';
import { AppError } from '../shared/errors.js';
import type { LeaseRow, NodeRow } from '../store/cluster.repository.js';
import { idParams } from './params.js';
import { parse } from './validate.js';

/** One node as the admin page shows it. */
export interface ClusterNodeView {
  id: string;
  url: string;
  version: string;
  startedAt: number;
  heartbeatAt: number;
  /** Heartbeat within the lease TTL. */
  alive: boolean;
  cpu: number;
  /** Cameras whose live lease it holds. */
  cameraIds: number[];
}
export interface ClusterCameraView {
  cameraId: number;
  owner: string | null;
  epoch: number;
  expiresAt: number;
  pinnedNode: string | null;
}
export interface ClusterView {
  enabled: boolean;
  /** The node that answered. */
  nodeId: string;
  /** Database time of the snapshot (the last heartbeat round). */
  at: number;
  nodes: ClusterNodeView[];
  cameras: ClusterCameraView[];
  /** Work that runs once in the cluster, and its holder. */
  jobs: { name: string; owner: string | null }[];
  /** What the answering node runs right now (not from the table). */
  local: { running: number[]; jobs: string[] };
}

export interface ClusterRoutesDeps {
  authorizer: Authorizer;
  nodeId: string;
  leaseTtlMs: number;
  view: () => { nodeId: string; running: number[]; jobs: string[]; nodes: NodeRow[]; leases: LeaseRow[]; at: number } | undefined;
  pin?: (cameraId: number, node: string | null) => Promise<void>;
}

const pinBody = z
  .object({
    node: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be a node id (letters, digits, _, . and -)')
      .nullable(),
  })
  .strict();

export function clusterView(d: Pick<ClusterRoutesDeps, 'nodeId' | 'leaseTtlMs' | 'view'>): ClusterView {
  const v = d.view();
  if (!v) return { enabled: false, nodeId: d.nodeId, at: Date.now(), nodes: [], cameras: [], jobs: [], local: { running: [], jobs: [] } };
  const live = (l: LeaseRow) => l.owner !== null && l.expiresAt > v.at;
  const cameras = v.leases
    .filter((l) => l.cameraId !== null)
    .map((l) => ({ cameraId: l.cameraId!, owner: live(l) ? l.owner : null, epoch: l.epoch, expiresAt: l.expiresAt, pinnedNode: l.pinnedNode }));
  const nodes = v.nodes.map((n) => ({
    id: n.id,
    url: n.url,
    version: n.version,
    startedAt: n.startedAt,
    heartbeatAt: n.heartbeatAt,
    alive: n.heartbeatAt > v.at - d.leaseTtlMs,
    cpu: n.cpu,
    cameraIds: cameras.filter((c) => c.owner === n.id).map((c) => c.cameraId),
  }));
  const jobs = v.leases.filter((l) => l.name.startsWith('job:')).map((l) => ({ name: l.name.slice(4), owner: live(l) ? l.owner : null }));
  return { enabled: true, nodeId: v.nodeId, at: v.at, nodes, cameras, jobs, local: { running: v.running, jobs: v.jobs } };
}

/** GET /api/cluster (admins): the nodes, their load and which node runs which camera; PUT a camera's pin. */
export function clusterRoutes(d: ClusterRoutesDeps): Router {
  const r = Router();
  r.get('/api/cluster', authorize(d.authorizer, 'settings.read'), (_req, res) => {
    res.json(clusterView(d));
  });
  r.put('/api/cluster/cameras/:id/pin', authorize(d.authorizer, 'settings.update'), async (req, res) => {
    const { id } = parse(idParams, req.params, 'params');
    const { node } = parse(pinBody, req.body, 'body');
    if (!d.pin) throw new AppError('not_clustered', 'this server is not part of a cluster (cluster.redisUrl is not set)', 409);
    await d.pin(id, node);
    addAuditDetail(res, { setting: 'cameraPin', cameraId: id, node });
    res.json({ cameraId: id, pinnedNode: node });
  });
  return r;
}
