// Which discovered servers are offered to the editor's agent: a default from settings, and per-server
// choices from the tree kept in global state (they are preferences, not configuration to sync into repos).
import * as vscode from 'vscode';
import { setting } from '../settings.js';

const KEY = 'mqttMcp.agentExposure';

export class AgentExposure {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;

  constructor(private readonly state: vscode.Memento) {}

  private overrides(): Record<string, boolean> {
    return this.state.get<Record<string, boolean>>(KEY) ?? {};
  }

  isExposed(brokerId: string, serverName: string): boolean {
    const o = this.overrides()[`${brokerId}\u0000${serverName}`];
    return o ?? setting('agent.exposeByDefault');
  }

  async set(brokerId: string, serverName: string, exposed: boolean): Promise<void> {
    await this.state.update(KEY, { ...this.overrides(), [`${brokerId}\u0000${serverName}`]: exposed });
    this.emitter.fire();
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
