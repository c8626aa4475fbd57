// Whether a device may see the workspace folders (roots/list): asked per request, or remembered as "always
// for this device" in the workspace state (a device is a server name on a broker). Reset by a command.
import * as vscode from 'vscode';

const STATE_KEY = 'mqttMcp.deviceRequests.rootsAllowed';

export interface DeviceKey {
  brokerId: string;
  serverName: string;
}

export type RootsChoice = 'once' | 'always' | 'deny';

const keyOf = (d: DeviceKey): string => `${d.brokerId}\u0000${d.serverName}`;

export class RootsPermissions {
  constructor(private readonly state: vscode.Memento) {}

  private allowed(): string[] {
    const v = this.state.get<unknown>(STATE_KEY);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  isAllowed(device: DeviceKey): boolean {
    return this.allowed().includes(keyOf(device));
  }

  /** A notification with the three choices; dismissing it, or the device giving up, is a deny. */
  async ask(device: DeviceKey, brokerLabel: string, folderNames: string[], signal: AbortSignal): Promise<RootsChoice> {
    const what = folderNames.length ? `your workspace folders (${folderNames.join(', ')})` : 'your workspace folders (none are open)';
    const choices = { 'Allow once': 'once', 'Always for this device': 'always', Deny: 'deny' } as const;
    const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const picked = await Promise.race([vscode.window.showInformationMessage(`${device.serverName} on ${brokerLabel} asks to see ${what} (MCP roots/list).`, ...Object.keys(choices)), aborted]);
    const choice: RootsChoice = picked ? choices[picked as keyof typeof choices] : 'deny';
    if (choice === 'always') await this.state.update(STATE_KEY, [...new Set([...this.allowed(), keyOf(device)])]);
    return choice;
  }

  /** Forgets every remembered permission; returns how many there were. */
  async reset(): Promise<number> {
    const count = this.allowed().length;
    await this.state.update(STATE_KEY, undefined);
    return count;
  }
}
