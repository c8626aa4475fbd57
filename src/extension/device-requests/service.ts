// What devices may ask of the editor's own sessions (tree, invoker, palette share one client per broker):
// elicitation, sampling and roots, each behind the user's consent and each recorded in the timeline. The
// settings mqttMcp.deviceRequests.* turn a kind of request off entirely ("deny"); there is no auto-approve.
import * as vscode from 'vscode';
import type { CreateMessageRequest, CreateMessageResult, ElicitRequest, ElicitResult, Root } from '@modelcontextprotocol/sdk/types.js';
import type { DeviceRequestContext, DeviceRequestHandlers } from '../../core/client/device-requests.js';
import type { EventLog } from '../../core/events/event-log.js';
import type { Logger } from '../../core/util/logger.js';
import { loadCore } from '../core-loader.js';
import type { CommandHandlers } from '../commands/register.js';
import { setting } from '../settings.js';
import type { RequestOrigin } from '../../../webview/device-request/protocol.js';
import { askInPanel } from './request-panel.js';
import { answerWithModel, sampleView } from './sampling.js';
import { RootsPermissions } from './roots-permissions.js';

export interface DeviceRequestDeps {
  extensionUri: vscode.Uri;
  workspaceState: vscode.Memento;
  events: EventLog;
  log: Logger;
}

type Kind = 'elicitation' | 'sampling' | 'roots';

export class DeviceRequestService {
  private readonly roots: RootsPermissions;

  constructor(private readonly deps: DeviceRequestDeps) {
    this.roots = new RootsPermissions(deps.workspaceState);
  }

  /** The handlers one broker's client declares and answers with. */
  handlersFor(broker: { id: string; label: string }): DeviceRequestHandlers {
    return {
      elicit: (params, context) => this.elicit(broker, params, context),
      sample: (params, context) => this.sample(broker, params, context),
      listRoots: (context) => this.listRoots(broker, context),
    };
  }

  commands(): CommandHandlers {
    return {
      'mqttMcp.resetDeviceRequestPermissions': async () => {
        const count = await this.roots.reset();
        void vscode.window.showInformationMessage(count ? `Forgot the workspace-folder permission of ${count} device(s): they will be asked again.` : 'No device had a remembered permission.');
      },
    };
  }

  private note(broker: { label: string }, context: DeviceRequestContext, method: string, summary: string, level: 'info' | 'warn' = 'info'): void {
    this.deps.events.push({ kind: 'consent', summary: `${context.serverName}: ${summary}`, level, broker: broker.label, serverName: context.serverName, serverId: context.serverId, method });
  }

  private declined(kind: Kind, reason: string): Error {
    const { DeviceRequestDeclined } = loadCore().deviceRequests;
    return new DeviceRequestDeclined(kind === 'roots' ? 'roots/list' : kind, reason);
  }

  /** "deny" in the settings: refused without asking, and the device is told which setting did it. */
  private refuseByPolicy(kind: Kind, broker: { label: string }, context: DeviceRequestContext, method: string): Error | undefined {
    if (setting(`deviceRequests.${kind}`) !== 'deny') return undefined;
    const reason = `refused by the setting mqttMcp.deviceRequests.${kind}`;
    this.note(broker, context, method, `${method} ${reason}`, 'warn');
    return this.declined(kind, reason);
  }

  private origin(broker: { label: string }, context: DeviceRequestContext): RequestOrigin {
    return { broker: broker.label, serverName: context.serverName, serverId: context.serverId };
  }

  private async elicit(broker: { label: string }, params: ElicitRequest['params'], context: DeviceRequestContext): Promise<ElicitResult> {
    const method = 'elicitation/create';
    const refused = this.refuseByPolicy('elicitation', broker, context, method);
    if (refused) throw refused;
    if (params.mode === 'url' || !('requestedSchema' in params)) throw this.declined('elicitation', 'this editor answers form elicitations only');
    const { buildFormModel, createValidator, defaultArguments } = loadCore().forms;
    const schema = params.requestedSchema;
    this.note(broker, context, method, `asks for input: "${params.message}"`);
    const validate = createValidator(schema);
    const answer = await askInPanel(this.deps, {
      origin: this.origin(broker, context),
      view: { kind: 'elicit', message: params.message, model: buildFormModel(schema), values: defaultArguments(schema) },
      validate,
      signal: context.signal,
    });
    this.note(broker, context, method, `input ${answer.action === 'accept' ? 'accepted' : answer.action === 'decline' ? 'declined' : 'cancelled'} by the user`);
    return answer.action === 'accept' ? { action: 'accept', content: answer.values as ElicitResult['content'] } : { action: answer.action };
  }

  private async sample(broker: { label: string }, params: CreateMessageRequest['params'], context: DeviceRequestContext): Promise<CreateMessageResult> {
    const method = 'sampling/createMessage';
    const refused = this.refuseByPolicy('sampling', broker, context, method);
    if (refused) throw refused;
    this.note(broker, context, method, `asks for a language model (${params.messages.length} message(s), at most ${params.maxTokens} tokens)`);
    const answer = await askInPanel(this.deps, { origin: this.origin(broker, context), view: sampleView(params), signal: context.signal });
    if (answer.action !== 'accept') {
      this.note(broker, context, method, `sampling ${answer.action === 'decline' ? 'declined' : 'cancelled'} by the user`);
      throw this.declined('sampling', `the user ${answer.action === 'decline' ? 'declined' : 'cancelled'} the request`);
    }
    try {
      const result = await answerWithModel(params, context, `${context.serverName} asked for a model's answer (MCP sampling)`);
      this.note(broker, context, method, `answered by ${result.model} (${result.content.type === 'text' ? result.content.text.length : 0} characters)`);
      return result;
    } catch (e) {
      const reason = (e as Error)?.message ?? String(e);
      this.note(broker, context, method, `sampling failed: ${reason}`, 'warn');
      throw this.declined('sampling', reason);
    }
  }

  private async listRoots(broker: { id: string; label: string }, context: DeviceRequestContext): Promise<Root[]> {
    const method = 'roots/list';
    const refused = this.refuseByPolicy('roots', broker, context, method);
    if (refused) throw refused;
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
    const roots = folders.map((f) => ({ uri: f.uri.toString(), name: f.name }));
    const device = { brokerId: broker.id, serverName: context.serverName };
    if (this.roots.isAllowed(device)) {
      this.note(broker, context, method, `got ${roots.length} workspace folder(s) (always allowed for this device)`);
      return roots;
    }
    this.note(broker, context, method, 'asks for the workspace folders');
    const choice = await this.roots.ask(device, broker.label, folders.map((f) => f.name), context.signal);
    if (choice === 'deny') {
      this.note(broker, context, method, 'workspace folders denied by the user');
      throw this.declined('roots', 'the user denied access to the workspace folders');
    }
    this.note(broker, context, method, `got ${roots.length} workspace folder(s) (${choice === 'always' ? 'always allowed from now on' : 'allowed once'})`);
    return roots;
  }
}
