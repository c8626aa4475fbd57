// Zero set-up: the embedded broker plus every example device, so a new user sees discovery, tools and
// events within seconds with nothing installed.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedBroker } from '../broker/index.js';
import { rbacAuthorizer } from '../rbac/enforcer.js';
import { loadPolicyFile } from '../rbac/policy.js';
import type { EventSink } from '../events/event-log.js';
import type { Logger } from '../util/logger.js';
import { Simulator, type SimulatedDevice } from './simulator.js';

export interface Demo {
  url: string;
  port: number;
  broker: EmbeddedBroker;
  simulator: Simulator;
  devices: SimulatedDevice[];
  stop(): Promise<void>;
}

export const MODEL_FILE = /\.(json|ya?ml)$/i;

export function exampleModels(examplesDir: string): string[] {
  if (!existsSync(examplesDir)) return [];
  return readdirSync(examplesDir)
    .filter((f) => MODEL_FILE.test(f))
    .sort()
    .map((f) => join(examplesDir, f));
}

export interface DemoOptions {
  examplesDir: string;
  port?: number;
  host?: string;
  /** An RBAC policy file for the broker (see core/rbac/policy.ts); a broken one fails the start with its problems. */
  rbacPolicyFile?: string;
  events?: EventSink;
  logger?: Logger;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const policy = options.rbacPolicyFile ? await loadPolicyFile(options.rbacPolicyFile) : undefined;
  const authorize = policy && rbacAuthorizer(policy, (message) => options.logger?.info(`local broker: ${message}`));
  const broker = new EmbeddedBroker({ host: options.host ?? '127.0.0.1', port: options.port ?? 0, authorize });
  const { url, port } = await broker.start();
  const simulator = new Simulator({ broker: { url }, events: options.events, logger: options.logger });
  const devices: SimulatedDevice[] = [];
  try {
    for (const file of exampleModels(options.examplesDir)) devices.push(...(await simulator.addFile(file)));
  } catch (e) {
    await simulator.stop().catch(() => undefined);
    await broker.stop();
    throw e;
  }
  return {
    url,
    port,
    broker,
    simulator,
    devices,
    async stop() {
      await simulator.stop();
      await broker.stop();
    },
  };
}
