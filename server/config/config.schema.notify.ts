import { z } from 'zod';
import { int, num, bool, jsonObject, ranges } from './config.fields.js';

/** Where notifications go (issue 14): the outbox workers, MQTT and Zalo; part of the one configuration schema (config.schema.ts). */
export const notifyConfigSchema = z
  .object({
    pollMs: int(20, 10_000).default(200).describe('How often the notification workers look for new notifications and due retries (ms)'),
    retryBaseMs: int(10, 600_000).default(1000).describe('First retry delay of a failed notification delivery (ms); it doubles per attempt, with jitter'),
    retryMaxMs: int(100, 3_600_000).default(60_000).describe('Longest delay between two retries of one delivery (ms)'),
    maxAttempts: int(1, 1000).default(12).describe('Attempts before a delivery becomes a dead letter (admins can retry it from the Notifications page)'),
    sendTimeoutMs: int(100, 120_000).default(10_000).describe('Deadline of one delivery attempt (a hanging receiver counts as failed)'),
    maxResponseBytes: int(1024, 10_000_000).default(65_536).describe('A webhook answer longer than this is cut off (only its status counts)'),
    ratePerMinute: z
      .preprocess(jsonObject, z.record(z.enum(['mqtt', 'webhook', 'webpush', 'zalo']), z.number().int().min(1).max(100_000)))
      .default({ mqtt: 6000, webhook: 600, webpush: 120, zalo: 60 })
      .describe('Per-channel rate limit: deliveries per minute to one target (one broker, endpoint, phone or Zalo user); JSON in the env var'),
    webhookDeny: ranges()
      .default(['0.0.0.0/8', '::/128', '169.254.0.0/16', 'fe80::/10', '224.0.0.0/4', 'ff00::/8'])
      .describe(
        "Address ranges (CIDR) webhooks may not reach, checked on the resolved address at every send (link-local holds cloud metadata). Loopback and private networks stay allowed: an admin's Node-RED often runs there",
      ),
    webhookAllow: ranges().default([]).describe('Address ranges webhooks may reach even inside webhookDeny; the most specific range decides'),
    webPushSubject: z
      .string()
      .regex(/^(mailto:|https:\/\/)/, 'must start with mailto: or https://')
      .default('mailto:admin@binhyen.invalid')
      .describe('Contact the push services (Google, Mozilla, Apple) may use about our Web Push traffic (VAPID subject)'),
    retentionDays: num(0.01, 3650)
      .default(30)
      .describe('Delivered notifications and their delivery log are deleted after this many days (dead letters are kept)'),
  })
  .strict();

export const mqttConfigSchema = z
  .object({
    url: z
      .string()
      .regex(/^(mqtts?|wss?):\/\//, 'must start with mqtt://, mqtts://, ws:// or wss://')
      .optional()
      .describe('MQTT broker, e.g. mqtt://127.0.0.1:1883; notifications go to MQTT only when set (off by default)'),
    username: z.string().min(1).optional().describe('MQTT user name'),
    password: z.string().min(1).optional().describe('MQTT password'),
    topicPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_\-/]+$/, 'letters, digits, _, - and / only (no MQTT wildcards)')
      .default('binhyen')
      .describe('Topic prefix: <prefix>/available, <prefix>/events, <prefix>/alerts, <prefix>/<camera>/<label>, <prefix>/<camera>/snapshot'),
    clientId: z.string().min(1).max(64).optional().describe('MQTT client id (default binhyen-<random>)'),
    homeAssistantDiscovery: bool().default(false).describe('Publish Home Assistant discovery messages (homeassistant/…/config) for each camera'),
  })
  .strict();

export const zaloConfigSchema = z
  .object({
    accessToken: z.string().min(10).optional().describe('Zalo Official Account access token; notifications go to Zalo only when set (off by default)'),
    apiUrl: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .default('https://openapi.zalo.me/v3.0/oa/message/cs')
      .describe("Zalo OA API endpoint for consultation messages (a stand-in's URL in tests)"),
    linkBase: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .default('http://localhost:8080')
      .describe('Address of the control panel as phones reach it: the links in Zalo messages start with it'),
  })
  .strict();
