// Packet mode: the checker runs the broker the device connects to (the embedded one, with its generic
// observer), waits for the device to announce itself, then runs the normal checks with the packets at hand.
import { networkInterfaces } from 'node:os';
import { EmbeddedBroker } from '../broker/index.js';
import type { PublishEvent } from '../broker/observer.js';
import { PROP, firstProperty } from '../protocol/properties.js';
import { parsePresenceTopic, topicMatches } from '../protocol/topics.js';
import { PacketCapture } from './packets.js';

export interface ListenOptions {
  /** Interface to listen on (default 0.0.0.0: a device on the network must reach it). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Suggested to every connecting MCP server in CONNACK (MCP-SERVER-NAME, as EMQX's MCP gateway does). */
  suggestServerName?: string;
}

export interface FoundDevice {
  serverId: string;
  serverName: string;
}

export interface ListeningChecker {
  /** What the checker itself connects to. */
  localUrl: string;
  /** What to point a device at: one URL per reachable address. */
  deviceUrls: string[];
  capture: PacketCapture;
  /** Resolves with the first device that publishes an online presence (matching `serverName`, a name or filter). */
  waitForDevice(options?: { serverName?: string; signal?: AbortSignal; timeoutMs?: number }): Promise<FoundDevice>;
  stop(): Promise<void>;
}

export async function startListening(options: ListenOptions = {}): Promise<ListeningChecker> {
  const capture = new PacketCapture();
  const host = options.host ?? '0.0.0.0';
  const suggested = options.suggestServerName;
  const broker = new EmbeddedBroker({
    host,
    port: options.port ?? 0,
    observe: capture.observe,
    connackUserProperties: suggested
      ? ({ userProperties }) => (firstProperty(userProperties, PROP.componentType) === 'mcp-server' ? { [PROP.serverName]: suggested } : undefined)
      : undefined,
  });
  const { port } = await broker.start();
  const anyAddress = host === '0.0.0.0' || host === '::';
  const localHost = anyAddress ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const deviceUrls = anyAddress ? reachableAddresses().map((a) => `mqtt://${a}:${port}`) : [`mqtt://${localHost}:${port}`];
  return {
    localUrl: `mqtt://${localHost}:${port}`,
    deviceUrls,
    capture,
    waitForDevice: (wait = {}) => waitForPresence(capture, wait),
    stop: () => broker.stop(),
  };
}

function reachableAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) out.push(a.address);
  return [...out, '127.0.0.1'];
}

function waitForPresence(capture: PacketCapture, options: { serverName?: string; signal?: AbortSignal; timeoutMs?: number }): Promise<FoundDevice> {
  const { serverName, signal, timeoutMs } = options;
  const match = (e: PublishEvent): FoundDevice | undefined => {
    if (e.payloadLength === 0) return undefined;
    const parsed = parsePresenceTopic(e.topic);
    if (!parsed) return undefined;
    return serverName === undefined || topicMatches(serverName, parsed.serverName) ? parsed : undefined;
  };
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      capture.listeners.delete(listener);
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const listener = (e: PublishEvent): void => {
      const found = match(e);
      if (!found) return;
      done();
      resolve(found);
    };
    const onAbort = (): void => {
      done();
      reject(signal?.reason);
    };
    if (signal?.aborted) return reject(signal.reason);
    const already = capture.events.find((e): e is PublishEvent => e.type === 'publish' && match(e) !== undefined);
    if (already) return resolve(match(already) as FoundDevice);
    capture.listeners.add(listener);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs)
      timer = setTimeout(() => {
        done();
        reject(new Error(`no device announced ${serverName ? `"${serverName}"` : 'an MCP server'} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
  });
}
