// What every binding of one proxied device instance shares.
import type { DeviceRuntime } from '../device/runtime.js';
import type { Logger } from '../util/logger.js';
import type { DeviceLink } from './device-link.js';
import type { SparkplugDefinitions } from './sparkplug.js';

export interface BindingContext {
  runtime: DeviceRuntime;
  link: DeviceLink;
  definitions: SparkplugDefinitions;
  /** {n} and {id} in topics. */
  instance: { n: number; id: string };
  log: Logger;
}

/** Malformed device messages are reported to the MCP clients (as a logging event) and to the proxy's log. */
export function reportTelemetryProblem(context: BindingContext, what: string, topic: string, problem: string, data: Record<string, unknown> = {}): void {
  const message = `${what}: the message on ${topic} ${problem}`;
  context.log.warn(`${context.runtime.serverName}: ${message}`);
  context.runtime.reportEvent({ event: 'telemetry_error', level: 'warning', message, data: { topic, problem, ...data } });
}
