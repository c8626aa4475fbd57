// Option parsing shared by every command: broker connection options, output mode, and usage errors that
// print one line instead of a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { BrokerConfig } from '../core/mqtt/options.js';
import { brokerUrlProblem } from '../core/mqtt/options.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

/** An error whose message is the whole story: printed as one line, exit code 1. */
export class CommandError extends Error {
  override name = 'CommandError';
}

export const brokerOptions = {
  broker: { type: 'string', short: 'b' },
  username: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'P' },
  'client-id': { type: 'string' },
  ca: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export type Values = Record<string, string | boolean | string[] | undefined>;

export function parse(argv: string[], options: ParseArgsConfig['options'], allowPositionals = false): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values as Values, positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

export function brokerConfig(values: Values, defaultUrl?: string): BrokerConfig {
  const url = (values.broker as string | undefined) ?? process.env.MQTT_BROKER ?? defaultUrl;
  if (!url) throw new UsageError('--broker URL is required (or set MQTT_BROKER), e.g. --broker mqtt://localhost:1883');
  const problem = brokerUrlProblem(url);
  if (problem) throw new UsageError(`--broker: ${problem}`);
  const config: BrokerConfig = { url };
  if (typeof values.username === 'string') config.username = values.username;
  const password = (values.password as string | undefined) ?? process.env.MQTT_PASSWORD;
  if (password) config.password = password;
  if (values.ca || values.cert || values.key || values.insecure) {
    config.tls = {};
    if (typeof values.ca === 'string') config.tls.ca = values.ca;
    if (typeof values.cert === 'string') config.tls.cert = values.cert;
    if (typeof values.key === 'string') config.tls.key = values.key;
    if (values.insecure) config.tls.rejectUnauthorized = false;
  }
  return config;
}

export function requireString(values: Values, name: string, example: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required, e.g. --${name} ${example}`);
  return v;
}

export function intOption(values: Values, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

export const COMMON_HELP = `Broker options:
  -b, --broker URL        mqtt://, mqtts://, ws:// or wss:// (default: $MQTT_BROKER)
  -u, --username NAME     user name
  -P, --password PASS     password (or $MQTT_PASSWORD, which keeps it out of the process list)
      --client-id ID      MQTT client id (default: random)
      --ca FILE --cert FILE --key FILE   TLS files (PEM)
      --insecure          do not verify the broker's TLS certificate
      --json              machine-readable output`;

/** A command-line option that holds a JSON object (tool arguments); absent means {}. */
export function jsonObjectOption(text: string | undefined, name: string): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--${name} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--${name} must be a JSON object, e.g. --${name} '{"target": 21}'`);
  return parsed as Record<string, unknown>;
}
