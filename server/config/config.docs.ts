import { z } from 'zod';
import { configSchema } from './config.schema.js';
import { ENV_PREFIX } from './config.load.js';

interface JsonProp {
  description?: string;
  type?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonProp>;
  items?: JsonProp;
}

const envName = (keys: string[]) => ENV_PREFIX + keys.map((k) => k.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()).join('__');

function typeOf(p: JsonProp): string {
  if (p.enum) return p.enum.map((e) => `\`${e}\``).join(' \\| ');
  const range = p.minimum !== undefined || p.maximum !== undefined ? ` (${p.minimum ?? ''}–${p.maximum ?? ''})` : '';
  return (p.type === 'array' ? `list of ${p.items?.type ?? 'value'} (comma-separated in env)` : (p.type ?? 'value')) + range;
}

/** The configuration reference table in the README, generated from the one schema. */
export function configReferenceMarkdown(): string {
  const json = z.toJSONSchema(configSchema, { io: 'input', unrepresentable: 'any' }) as JsonProp;
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const rows: string[] = ['| Setting (file key) | Environment variable | Type | Default | Description |', '| --- | --- | --- | --- | --- |'];
  const walk = (props: Record<string, JsonProp>, keys: string[], defs: Record<string, unknown>) => {
    for (const [k, p] of Object.entries(props)) {
      if (p.properties) {
        walk(p.properties, [...keys, k], (defs[k] ?? {}) as Record<string, unknown>);
        continue;
      }
      const d = defs[k];
      const shown = Array.isArray(d) ? d.join(',') : typeof d === 'object' && d !== null ? JSON.stringify(d) : String(d);
      const def = d === undefined ? '—' : `\`${shown}\``;
      rows.push(`| \`${[...keys, k].join('.')}\` | \`${envName([...keys, k])}\` | ${typeOf(p)} | ${def} | ${(p.description ?? '').replace(/\|/g, '\\|')} |`);
    }
  };
  walk(json.properties ?? {}, [], defaults);
  return rows.join('\n');
}
