// Which face a broker's devices show the agent: one MCP server per exposed device, or one fleet server for
// all of them (mqttMcp.agent.mode). Past a few dozen devices per-device servers flood the agent's tool list
// (VS Code caps a request at 128 tools), so auto switches to the fleet server beyond a threshold.
import * as vscode from 'vscode';

export type AgentMode = 'devices' | 'fleet' | 'auto';

export interface AgentSettings {
  mode: AgentMode;
  fleetThreshold: number;
  maxCallMany: number;
}

export function agentSettings(): AgentSettings {
  const config = vscode.workspace.getConfiguration('mqttMcp.agent');
  const mode = config.get<string>('mode', 'auto');
  return {
    mode: mode === 'devices' || mode === 'fleet' ? mode : 'auto',
    fleetThreshold: Math.max(0, config.get<number>('fleetThreshold', 20)),
    maxCallMany: Math.max(1, config.get<number>('maxCallMany', 100)),
  };
}

/** Whether a broker with `exposed` exposed online devices is offered as its fleet server. */
export function offersFleet(settings: AgentSettings, exposed: number): boolean {
  if (settings.mode === 'fleet') return true;
  if (settings.mode === 'devices') return false;
  return exposed > settings.fleetThreshold;
}
