// Which face a broker's devices show the agent: one MCP server per exposed device, or one fleet server for
// all of them (mqttMcp.agent.mode). Past a few dozen devices per-device servers flood the agent's tool list
// (VS Code caps a request at 128 tools), so auto switches to the fleet server beyond a threshold.
import { setting } from '../settings.js';

export type AgentMode = 'devices' | 'fleet' | 'auto';

export interface AgentSettings {
  mode: AgentMode;
  fleetThreshold: number;
  maxCallMany: number;
}

export function agentSettings(): AgentSettings {
  const mode = setting('agent.mode');
  return {
    mode: mode === 'devices' || mode === 'fleet' ? mode : 'auto',
    fleetThreshold: Math.max(0, setting('agent.fleetThreshold')),
    maxCallMany: Math.max(1, setting('agent.maxCallMany')),
  };
}

/** Whether a broker with `exposed` exposed online devices is offered as its fleet server. */
export function offersFleet(settings: AgentSettings, exposed: number): boolean {
  if (settings.mode === 'fleet') return true;
  if (settings.mode === 'devices') return false;
  return exposed > settings.fleetThreshold;
}
