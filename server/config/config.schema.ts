import { z } from 'zod';
import { DEFAULT_DENIED_RANGES } from '../shared/address.ranges.js';
import { int, num, bool, list, jsonObject, ranges } from './config.fields.js';
import { mqttConfigSchema, notifyConfigSchema, zaloConfigSchema } from './config.schema.notify.js';

/**
 * The one configuration schema. Every setting has a default, a description and limits;
 * env vars (BINHYEN_*) and the optional JSON config file are both validated against it,
 * and the README's configuration table is generated from it (see config.docs.ts).
 */

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const detectModelSchema = z
  .object({
    type: z
      .enum(['centernet', 'yolox'])
      .default('centernet')
      .describe('Detection model type; yolox needs an ONNX file in detect.model.path and the onnx backend'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('ONNX model file (required for yolox; for centernet default models/build/centernet.onnx); relative to the working directory'),
    sha256: z
      .string()
      .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
      .optional()
      .describe('Expected SHA-256 of the ONNX model file, checked at start'),
    inputSize: int(32, 2048).optional().describe('Square model input in pixels (default: centernet 512, yolox 416); must match the model file'),
    labels: list().optional().describe('Label names by class index (default: the 80 COCO classes)'),
    wide: bool()
      .default(true)
      .describe(
        'CenterNet on the onnx backend: run wide frames (16:9) through its 512x288 twin (models/build/centernet-512x288.onnx), same scale, about half the work; off = every frame letterboxed into 512x512',
      ),
  })
  .strict();

export const detectConfigSchema = z
  .object({
    fps: num(0.2, 30).default(5).describe('Frames per second sampled for detection from each camera'),
    width: int(160, 3840).default(640).describe('Width of detection frames in pixels (height keeps the camera aspect ratio)'),
    backend: z
      .enum(['auto', 'onnx', 'tfjs-node', 'wasm'])
      .default('auto')
      .describe('Object detector backend; auto picks onnx when the model has an ONNX file and ONNX Runtime loads, else tfjs-node, else wasm'),
    workers: int(0, 64).default(0).describe('Detector worker threads (onnx and wasm); 0 means one per core with onnx, cores - 1 (at least 1) with wasm'),
    model: detectModelSchema.default(detectModelSchema.parse({})),
    minScore: num(0, 1).default(0.4).describe('Minimum detection score kept by the object detector'),
    minScores: z
      .preprocess(jsonObject, z.record(z.string().min(1), num(0, 1)))
      .default({})
      .describe('Minimum score per label, e.g. {"person": 0.5} (in env as JSON, or BINHYEN_DETECT__MIN_SCORES__PERSON=0.5); labels not named use minScore'),
    maxPerCameraPerSecond: num(0.1, 100).default(5).describe('Cap on object detections per camera per second'),
    staleMs: int(100, 60_000).default(2000).describe('Detection work older than this is dropped and counted'),
    trackCheckMs: int(0, 10_000)
      .default(600)
      .describe(
        'Confirmed tracks are re-checked by the model at least this often; motion only on known tracks is followed by the tracker in between (0: model on every frame with motion)',
      ),
    labels: list()
      .default(['person', 'bicycle', 'car', 'motorcycle', 'bus', 'truck'])
      .describe('Object labels (COCO names) that are tracked; everything else the model reports is ignored'),
  })
  .strict();

export const recordConfigSchema = z
  .object({
    enabled: bool().default(true).describe('Continuous recording of every camera'),
    segmentSeconds: int(2, 60).default(4).describe('Length of recording segments (at least the camera keyframe interval)'),
    preRollSeconds: int(0, 120).default(5).describe('Seconds of video kept before an event in its clip'),
    postRollSeconds: int(0, 120).default(5).describe('Seconds of video kept after an event in its clip'),
    maxClipSeconds: int(10, 3600).default(120).describe('Longest event clip; a longer event gets chained clips, each ready as soon as it is recorded'),
  })
  .strict();

export const retentionConfigSchema = z
  .object({
    recordingDays: num(0.01, 3650).default(7).describe('Days continuous recordings are kept'),
    eventDays: num(0.01, 3650).default(30).describe('Days event clips and snapshots are kept (pinned evidence is never deleted)'),
    maxDiskGb: num(0, 1_000_000).default(0).describe('Disk quota for recordings in GB; 0 means no quota'),
    minFreeGb: num(0, 1_000_000).default(1).describe('Free disk space floor in GB; oldest recordings are deleted below it, except the most recent window'),
    keepRecentMinutes: num(0, 10_080)
      .default(10)
      .describe('Minutes of the most recent recordings the free-space floor never deletes (the disk health state turns "low" instead)'),
  })
  .strict();

export const reportsConfigSchema = z
  .object({
    maxPhotoMb: num(0.1, 50).default(8).describe("Largest photo of a resident's report, in MB (up to 4 photos per report)"),
    perReporterPerHour: int(1, 1000).default(10).describe('Reports one account may file per hour; more are refused (429) without slowing anything else'),
    targetMinutes: int(1, 100_000)
      .default(1440)
      .describe(
        'Target time to close a report (handled, unfounded or forwarded) for areas that set none of their own: the evaluation counts the share closed within it',
      ),
    nearbyRadiusM: int(0, 100_000).default(300).describe("Cameras this close to a report's position count as nearby even in another area"),
    publicPerAddressPerHour: int(1, 1000)
      .default(5)
      .describe("Anonymous reports one client address may file per hour through areas' public report links; more are refused (429)"),
    publicPerLinkPerHour: int(1, 10_000)
      .default(60)
      .describe('Anonymous reports one public report link takes per hour from everyone together; more are refused (429)'),
  })
  .strict();

export const ingestConfigSchema = z
  .object({
    stallTimeoutMs: int(500, 600_000).default(10_000).describe('A stream with no frame for this long is stalled and restarted'),
    backoffInitialMs: int(10, 600_000).default(1_000).describe('First restart delay after a failure'),
    backoffMaxMs: int(10, 3_600_000).default(60_000).describe('Longest restart delay'),
    healthyResetMs: int(100, 3_600_000).default(30_000).describe('Online this long resets the backoff'),
    offlineAfterFailures: int(1, 1000).default(3).describe('Consecutive failures before a camera is shown offline'),
    killGraceMs: int(50, 60_000).default(2_000).describe('Time between SIGTERM and SIGKILL when stopping ffmpeg'),
    probeIntervalMs: int(0, 600_000)
      .default(2_000)
      .describe(
        'While a restart waits out its backoff, the camera is probed this often (RTSP OPTIONS or TCP) and restarted as soon as it answers again; 0 turns it off',
      ),
    rtspTransport: z.enum(['tcp', 'udp']).default('tcp').describe('Default RTSP transport'),
    startTimeoutMs: int(500, 600_000)
      .default(20_000)
      .describe('A new connection with no frame for this long has failed (probing and the first keyframe take a few seconds)'),
    socketTimeoutMs: int(100, 600_000).default(5_000).describe('Network read timeout given to ffmpeg for RTSP and HTTP sources'),
    decodeThreads: int(1, 16).default(1).describe('Decoder threads per camera stream (1 scales best with many cameras)'),
    liveJpegFps: num(0.1, 10).default(1).describe('Frames per second of the live-wall JPEG of each camera'),
    liveJpegWidth: int(160, 1920).default(640).describe('Width of the live-wall JPEG in pixels (height keeps the aspect ratio)'),
    liveJpegQuality: int(2, 31).default(7).describe('JPEG quality scale of the live wall (2 best, 31 smallest)'),
    snapshotFps: num(0.1, 10).default(2).describe('Polling rate for cameras that only offer an HTTP snapshot URL'),
    statsPushMs: int(500, 600_000).default(5_000).describe("How often each camera's stats (fps, drops, restarts, CPU, RSS, disk) are pushed over socket.io"),
    statsHistoryMs: int(500, 600_000)
      .default(15_000)
      .describe("Spacing of the samples kept for each camera's last-hour health charts (in memory on the server; at most one sample per push)"),
    stderrLines: int(5, 1000).default(40).describe('Last lines of ffmpeg output kept per stream for diagnostics (credentials masked)'),
  })
  .strict();

export const authConfigSchema = z
  .object({
    idleTimeoutSeconds: int(1, 30 * 86_400)
      .default(8 * 3600)
      .describe('A session unused this long ends (the user signs in again)'),
    absoluteTimeoutSeconds: int(1, 365 * 86_400)
      .default(7 * 86_400)
      .describe('A session ends this long after sign-in, used or not'),
    loginMaxFailuresPerUser: int(1, 1000).default(5).describe('Failed sign-ins per username within the window before further attempts are refused'),
    loginMaxFailuresPerIp: int(1, 100_000).default(20).describe('Failed sign-ins per client address within the window before further attempts are refused'),
    loginWindowSeconds: int(1, 86_400).default(900).describe('Window for counting failed sign-ins; a refused client is told how many seconds to wait'),
    passwordMinLength: int(8, 128).default(10).describe('Minimum password length'),
    scryptLog2N: int(10, 20).default(15).describe('scrypt cost (log2 N) for new password hashes; 15 takes ~0.1 s and 32 MB per hash'),
    hashWorkers: int(0, 16).default(0).describe('Threads that hash passwords, apart from the database and detection (0: 1 on up to 2 cores, else 2)'),
    hashQueueMax: int(0, 10_000).default(16).describe('Password checks that may wait for a hashing thread; more are answered 503 with Retry-After at once'),
    refusalAuditWindowSeconds: int(1, 3600)
      .default(60)
      .describe('Repeated refusals (rate-limited sign-ins, 403s) are written to the audit log once per key and window, with a count'),
    trustProxy: z
      .string()
      .refine(
        (v) => !/^(true|\*)$/i.test(v.trim()),
        'trusting every proxy lets any client fake its address; name the proxy (loopback, an IP or subnet) or a hop count',
      )
      .default('')
      .describe('Reverse proxies whose X-Forwarded-For/-Proto are believed (express trust proxy: loopback, 10.0.0.1, 1 …); empty trusts none'),
    secureCookie: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('Secure flag on the session cookie; auto sets it when the request came over HTTPS'),
    allowedHosts: list()
      .default([])
      .describe(
        'Host names the server answers to besides localhost, IP addresses and `host` (e.g. camera.xa-binhyen.vn); other Host headers get 421, which stops DNS rebinding',
      ),
    allowedOrigins: list().default([]).describe("Extra browser origins (scheme://host:port) allowed to send changes, besides the server's own"),
    socketRecheckSeconds: int(1, 3600).default(30).describe('How often open sockets are checked against revoked or expired sessions'),
  })
  .strict();

export const cameraNetworkConfigSchema = z
  .object({
    allow: ranges()
      .default([])
      .describe(
        'Address ranges (CIDR) cameras may be at even inside a denied range, e.g. 127.0.0.0/8 for a camera proxy on this computer; the most specific range decides',
      ),
    deny: ranges()
      .default([...DEFAULT_DENIED_RANGES])
      .describe(
        "Address ranges (CIDR) that test-connection, probe, discovery and camera streams may not reach (checked on the resolved address); the server's own addresses count as denied unless allowed. The demo camera is exempt. An admin's saved setting (Settings page) replaces both lists",
      ),
  })
  .strict();

export const onvifConfigSchema = z
  .object({
    notifyBaseUrl: z
      .string()
      .url('must be a URL such as http://192.168.1.10:8080')
      .regex(/^https?:\/\//, 'must start with http:// or https://')
      .optional()
      .describe(
        'Address cameras can reach this server at, for cameras without PullPoint that post their events (ONVIF base notification) to <notifyBaseUrl>/onvif/notify/…; default: the listen address, or the first LAN IPv4 address when listening on 0.0.0.0 (a warning says so)',
      ),
  })
  .strict();

export const auditConfigSchema = z
  .object({
    keyFile: z
      .string()
      .min(1)
      .optional()
      .describe('File with the 32-byte key that seals the audit chain (HMAC-SHA256); default <dataDir>/audit.key, created with mode 0600'),
    anchorFile: z
      .string()
      .min(1)
      .optional()
      .describe("File holding the audit chain's newest entry and its own HMAC, to detect truncation (default <dataDir>/audit-anchor.json)"),
    anchorMinutes: num(0.05, 1440).default(5).describe('How often the audit anchor file is rewritten (also at shutdown); each write is also logged'),
  })
  .strict();

export const storageConfigSchema = z
  .object({
    group: z
      .string()
      .regex(/^([a-z_][a-z0-9_.-]{0,31}\$?|\d{1,10})$/, 'must be a group name or a numeric gid')
      .optional()
      .describe(
        'Group (name or gid) given read access to the data folder, e.g. for a backup user: folders 0750, files 0640; without it folders are 0700 and files 0600. Key files stay 0600',
      ),
  })
  .strict();

export { mqttConfigSchema, notifyConfigSchema, zaloConfigSchema };

export const clusterConfigSchema = z
  .object({
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional()
      .describe(
        'Redis for socket.io fan-out between nodes, e.g. redis://127.0.0.1:6379; setting it makes this server a node of a cluster (needs databaseUrl on PostgreSQL, shared by every node)',
      ),
    streamName: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]+$/, 'letters, digits, :, _, . and - only')
      .default('binhyen:socket.io')
      .describe('Redis stream the nodes share for socket.io messages (one per cluster)'),
    leaseTtlMs: int(2_000, 600_000)
      .default(10_000)
      .describe('A camera or job lease not renewed for this long expires and another node takes it over (failover time is about this plus one heartbeat)'),
    heartbeatMs: int(200, 60_000).default(2_000).describe('How often a node renews its leases and rebalances; must be well under leaseTtlMs'),
    joinAfterMs: int(0, 600_000)
      .default(5_000)
      .describe('A node (re)joining counts for the balance only after heartbeating this long, so a flapping node does not pull cameras back and forth'),
    secret: z
      .string()
      .min(16, 'must be at least 16 characters')
      .optional()
      .describe('Shared secret the nodes use to fetch recordings and clips from each other (the same on every node; required in a cluster)'),
    advertiseUrl: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .optional()
      .describe("How the other nodes reach this node's API (default http://<host name>:<port>)"),
  })
  .strict()
  .refine((c) => c.heartbeatMs * 2 <= c.leaseTtlMs, { message: 'heartbeatMs must be at most half of leaseTtlMs', path: ['heartbeatMs'] });

export const configSchema = z
  .object({
    port: int(0, 65535).default(8080).describe('HTTP port of the control panel and API'),
    host: z.string().min(1).default('0.0.0.0').describe('Address the HTTP server listens on'),
    dataDir: z.string().min(1).default('./data').describe('Directory for the database, recordings, clips, snapshots and keys'),
    databaseUrl: z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgres://')
      .optional()
      .describe('Database: sqlite:<file> (default <dataDir>/binhyen.sqlite) or postgres://user@host/db'),
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Asia/Ho_Chi_Minh')
      .default('Asia/Ho_Chi_Minh')
      .describe('Time zone for schedules and displayed times (stored times are UTC)'),
    secretKeyFile: z
      .string()
      .min(1)
      .optional()
      .describe('File with the 32-byte key that encrypts camera credentials (default <dataDir>/secret.key, created with mode 0600)'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe('Log verbosity'),
    demoCamera: bool().default(true).describe('Start a simulated demo camera when no camera is registered'),
    ffmpegPath: z.string().min(1).optional().describe('ffmpeg binary (default: ffmpeg on PATH, else the bundled static build)'),
    discoveryInterfaces: list().optional().describe('Network interfaces used for ONVIF WS-Discovery (default: every non-internal IPv4 interface)'),
    detect: detectConfigSchema.default(detectConfigSchema.parse({})),
    record: recordConfigSchema.default(recordConfigSchema.parse({})),
    retention: retentionConfigSchema.default(retentionConfigSchema.parse({})),
    ingest: ingestConfigSchema.default(ingestConfigSchema.parse({})),
    auth: authConfigSchema.default(authConfigSchema.parse({})),
    cameraNetwork: cameraNetworkConfigSchema.default(cameraNetworkConfigSchema.parse({})),
    audit: auditConfigSchema.default(auditConfigSchema.parse({})),
    onvif: onvifConfigSchema.default(onvifConfigSchema.parse({})),
    storage: storageConfigSchema.default(storageConfigSchema.parse({})),
    reports: reportsConfigSchema.default(reportsConfigSchema.parse({})),
    notify: notifyConfigSchema.default(notifyConfigSchema.parse({})),
    mqtt: mqttConfigSchema.default(mqttConfigSchema.parse({})),
    zalo: zaloConfigSchema.default(zaloConfigSchema.parse({})),
    nodeId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _, . and - only (at most 100)')
      .optional()
      .describe('Name of this node in a cluster (BINHYEN_NODE_ID; default: the host name)'),
    cluster: clusterConfigSchema.default(clusterConfigSchema.parse({})),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!c.cluster.redisUrl) return;
    // A cluster coordinates through the shared database: SQLite is one node's file.
    if (!c.databaseUrl || !/^postgres(ql)?:\/\//.test(c.databaseUrl)) {
      ctx.addIssue({
        code: 'custom',
        path: ['databaseUrl'],
        message:
          'a cluster (cluster.redisUrl is set) needs PostgreSQL shared by every node: set databaseUrl to postgres://…, or unset cluster.redisUrl for one node on SQLite',
      });
    }
    if (!c.cluster.secret) {
      ctx.addIssue({
        code: 'custom',
        path: ['cluster', 'secret'],
        message: 'a cluster needs a shared secret (the same on every node, at least 16 characters) for fetching media between nodes',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type DetectConfig = Config['detect'];
export type IngestConfig = Config['ingest'];
export type RecordConfig = Config['record'];
export type RetentionConfig = Config['retention'];
export type AuthConfig = Config['auth'];
export type CameraNetworkConfig = Config['cameraNetwork'];
export type AuditConfig = Config['audit'];
export type OnvifConfig = Config['onvif'];
export type StorageConfig = Config['storage'];
export type NotifyConfig = Config['notify'];
export type MqttConfig = Config['mqtt'];
export type ZaloConfig = Config['zalo'];
export type ClusterConfig = Config['cluster'];
