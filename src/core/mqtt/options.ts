// Broker addresses and credentials as users give them, turned into MQTT.js options, and connection errors
// turned into sentences a person can act on.
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';

export interface TlsConfig {
  /** Paths to PEM files. */
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  rejectUnauthorized?: boolean;
}

export interface BrokerConfig {
  url: string;
  username?: string;
  password?: string;
  tls?: TlsConfig;
}

const SCHEMES = new Set(['mqtt:', 'mqtts:', 'ws:', 'wss:']);
const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 8083, 'wss:': 8084 };

/** Returns a problem with a broker URL, or undefined when it is usable. Used for input validation too. */
export function brokerUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL (expected e.g. mqtt://localhost:1883)`;
  }
  if (!SCHEMES.has(parsed.protocol)) return `unsupported scheme "${parsed.protocol}" (use mqtt://, mqtts://, ws:// or wss://)`;
  if (!parsed.hostname) return 'the URL has no host';
  if (parsed.port !== '') {
    const port = Number(parsed.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${parsed.port} is out of range (1-65535)`;
  }
  if (parsed.username || parsed.password) return 'put the user name and password in their own fields, not in the URL';
  return undefined;
}

export function toClientOptions(broker: BrokerConfig): IClientOptions {
  const problem = brokerUrlProblem(broker.url);
  if (problem) throw new Error(`invalid broker URL: ${problem}`);
  const url = new URL(broker.url);
  const protocol = url.protocol.slice(0, -1) as 'mqtt' | 'mqtts' | 'ws' | 'wss';
  const options: IClientOptions = {
    protocol,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : DEFAULT_PORTS[url.protocol],
  };
  if (protocol === 'ws' || protocol === 'wss') options.path = url.pathname && url.pathname !== '/' ? url.pathname : '/mqtt';
  if (broker.username !== undefined && broker.username !== '') options.username = broker.username;
  if (broker.password !== undefined && broker.password !== '') options.password = broker.password;
  const tls = broker.tls;
  if (tls) {
    const read = (label: string, path: string | undefined): Buffer | undefined => {
      if (!path) return undefined;
      try {
        return readFileSync(path);
      } catch (e) {
        throw new Error(`cannot read TLS ${label} file "${path}": ${(e as Error).message}`, { cause: e });
      }
    };
    const ca = read('CA', tls.ca);
    const cert = read('certificate', tls.cert);
    const key = read('key', tls.key);
    if (ca) options.ca = ca;
    if (cert) options.cert = cert;
    if (key) options.key = key;
    if (tls.passphrase) (options as IClientOptions & { passphrase?: string }).passphrase = tls.passphrase;
    if (tls.rejectUnauthorized === false) options.rejectUnauthorized = false;
  }
  return options;
}

const CONNACK_REASONS: Record<number, string> = {
  0x80: 'the broker refused the connection (unspecified error)',
  0x81: 'the broker could not parse the CONNECT packet',
  0x82: 'protocol error',
  0x84: 'the broker does not support MQTT 5 (MCP over MQTT requires MQTT 5)',
  0x85: 'the broker rejected the client id',
  0x86: 'the broker refused the credentials (bad user name or password)',
  0x87: 'not authorized to connect',
  0x88: 'the broker is unavailable',
  0x89: 'the broker is busy',
  0x8a: 'this client is banned',
  0x8c: 'bad authentication method',
  0x95: 'packet too large',
  0x97: 'quota exceeded',
  0x9f: 'connection rate exceeded',
};

/** True for refusals that retrying will not fix (credentials, protocol). */
export function isFatalConnectError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'number' && code >= 0x80 && code !== 0x88 && code !== 0x89 && code !== 0x97 && code !== 0x9f;
}

export function describeConnectError(err: unknown, url: string): string {
  const e = err as { code?: unknown; message?: string };
  if (typeof e.code === 'number' && CONNACK_REASONS[e.code]) return `${CONNACK_REASONS[e.code]} (reason code ${e.code})`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `cannot reach the broker at ${url}: connection refused (is it running?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot reach the broker at ${url}: unknown host`;
    case 'ETIMEDOUT':
      return `cannot reach the broker at ${url}: timed out`;
    case 'ECONNRESET':
      return `the broker at ${url} reset the connection`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `cannot reach the broker at ${url}: no route to host`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
      return `TLS: the broker's certificate is not trusted (${String(e.code)}); give its CA file or turn off verification`;
  }
  if (e.message === 'connack timeout') return `the broker at ${url} did not answer CONNECT in time`;
  return e.message ?? String(err);
}
