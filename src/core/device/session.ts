// One MCP session on a device: an SDK Server whose handlers read and change the shared DeviceRuntime.
//
// Why the low-level Server and not McpServer: the device's tools come from a model file as JSON Schema,
// while McpServer wants Zod shapes and validates with them; McpServer also has no resources/subscribe,
// and its per-tool enable/disable would have to be kept in step with the model by hand. The low-level
// Server takes JSON Schema as-is and lets list_changed, subscriptions and logging follow the device.
//
// Why one resource per attribute (device://{serverName}/attributes/{name}) and not one state document:
// notifications/resources/updated names only a URI, so with one document every tick of a noisy sensor
// would wake every subscriber and make it re-read everything. Per attribute, a client watches exactly
// what it cares about, and broker RBAC (allowed_resources) can grant or deny single attributes.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import {
  CallToolRequestSchema, ErrorCode, GetPromptRequestSchema, ListPromptsRequestSchema, ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema, ListToolsRequestSchema, McpError, ReadResourceRequestSchema, SubscribeRequestSchema,
  UnsubscribeRequestSchema, type Resource, type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { renderTemplate } from './expression.js';
import { callDeviceFunction } from './function-call.js';
import type { FunctionModel } from './model.js';
import type { ClientAsks } from './client-asks.js';
import type { DeviceEventRecord, DeviceRuntime, ListKind } from './runtime.js';

export interface SessionOptions {
  /**
   * 'session' (default): this Server sends resources/updated for its own subscriptions and list_changed
   * itself, as any MCP server does. 'external': it stays quiet because the caller publishes the
   * runtime's onResourceUpdated/onListChanged once per device, e.g. on the MQTT capability topic that
   * every client of the instance shares (sending both would deliver each change twice).
   */
  capabilityNotifications?: 'session' | 'external';
}

const RESOURCE_NOT_FOUND = -32002;
/** A person answers these: longer than the SDK's 60 s default; the caller's own cancel still ends them. */
const CLIENT_ASK_TIMEOUT_MS = 5 * 60_000;

// The SDK builds an Ajv per Server for elicitation, which devices never send; one shared instance keeps
// createServer cheap when a device has many sessions.
let validator: AjvJsonSchemaValidator | undefined;
const sharedValidator = (): AjvJsonSchemaValidator => (validator ??= new AjvJsonSchemaValidator());

class DeviceSession extends Server {
  private readonly subscriptions = new Set<string>();
  private detach: (() => void) | undefined;
  private closed = false;

  constructor(private readonly runtime: DeviceRuntime, readonly clientId: string, private readonly options: SessionOptions) {
    const { model } = runtime;
    super(
      { name: runtime.serverName, version: model.version ?? '1.0.0', ...(model.title ? { title: model.title } : {}) },
      {
        capabilities: {
          tools: { listChanged: true },
          resources: { subscribe: true, listChanged: true },
          logging: {},
          ...(model.prompts.length ? { prompts: { listChanged: true } } : {}),
        },
        instructions: model.instructions ?? model.description,
        jsonSchemaValidator: sharedValidator(),
      },
    );
    this.registerTools();
    this.registerResources();
    if (model.prompts.length) this.registerPrompts();
  }

  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    // Listen to the device only while connected, so a session that is built but never used leaks nothing.
    this.detach ??= this.runtime.attachSession({
      resourceUpdated: (uri) => this.forwardResourceUpdated(uri),
      listChanged: (kind) => this.forwardListChanged(kind),
      event: (record) => this.forwardEvent(record),
    });
    // Protocol owns transport.onclose; chain onto it so a closed session stops listening to the device.
    const previous = transport.onclose;
    transport.onclose = () => {
      previous?.();
      this.dispose();
    };
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.detach?.();
    for (const uri of this.subscriptions) this.runtime.unsubscribe(uri);
    this.subscriptions.clear();
  }

  private registerTools(): void {
    this.setRequestHandler(ListToolsRequestSchema, () => ({ tools: this.runtime.availableFunctions().map(toTool) }));
    this.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      const progressToken = request.params._meta?.progressToken;
      return callDeviceFunction(this.runtime, request.params.name, request.params.arguments, {
        signal: extra.signal,
        asks: this.clientAsks(),
        sendProgress: progressToken === undefined
          ? undefined
          : (progress, total, message) => extra.sendNotification({
            method: 'notifications/progress',
            params: { progressToken, progress, total, ...(message ? { message } : {}) },
          }),
      });
    });
  }

  /** Only what the client declared: a device must not send a request its client cannot answer. */
  private clientAsks(): ClientAsks {
    const declared = this.getClientCapabilities();
    const options = (signal: AbortSignal) => ({ signal, timeout: CLIENT_ASK_TIMEOUT_MS });
    return {
      ...(declared?.elicitation ? { elicit: (params, signal) => this.elicitInput(params, options(signal)) } : {}),
      ...(declared?.sampling ? { sample: (params, signal) => this.createMessage(params, options(signal)) } : {}),
    };
  }

  private registerResources(): void {
    this.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: this.resources() }));
    this.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));
    this.setRequestHandler(ReadResourceRequestSchema, (request) => {
      const { uri } = request.params;
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(this.readResource(uri), null, 2) }] };
    });
    this.setRequestHandler(SubscribeRequestSchema, (request) => {
      const { uri } = request.params;
      this.readResource(uri); // rejects unknown URIs
      if (!this.subscriptions.has(uri)) {
        this.subscriptions.add(uri);
        this.runtime.subscribe(uri);
      }
      return {};
    });
    this.setRequestHandler(UnsubscribeRequestSchema, (request) => {
      if (this.subscriptions.delete(request.params.uri)) this.runtime.unsubscribe(request.params.uri);
      return {};
    });
  }

  private registerPrompts(): void {
    const { prompts } = this.runtime.model;
    this.setRequestHandler(ListPromptsRequestSchema, () => ({
      prompts: prompts.map((p) => ({
        name: p.name,
        ...(p.title ? { title: p.title } : {}),
        ...(p.description ? { description: p.description } : {}),
        arguments: (p.arguments ?? []).map((a) => ({ name: a.name, description: a.description, required: a.required ?? false })),
      })),
    }));
    this.setRequestHandler(GetPromptRequestSchema, (request) => {
      const prompt = prompts.find((p) => p.name === request.params.name);
      if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${request.params.name}`);
      const args: Record<string, unknown> = { ...request.params.arguments };
      const missing = (prompt.arguments ?? []).filter((a) => a.required && (args[a.name] === undefined || args[a.name] === ''));
      if (missing.length) throw new McpError(ErrorCode.InvalidParams, `Missing required argument(s): ${missing.map((a) => a.name).join(', ')}`);
      const scope = this.runtime.scope(args);
      return {
        ...(prompt.description ? { description: prompt.description } : {}),
        messages: prompt.messages.map((m) => ({ role: m.role, content: { type: 'text' as const, text: renderTemplate(m.text, scope) } })),
      };
    });
  }

  private resources(): Resource[] {
    const attributes = Object.entries(this.runtime.model.attributes).map(([name, attribute]) => ({
      uri: this.runtime.attributeUri(name),
      name,
      description: [attribute.description, attribute.unit ? `Unit: ${attribute.unit}.` : '', attribute.writable ? 'Writable.' : '', attribute.source ? 'Read from the real device.' : '']
        .filter(Boolean).join(' ') || `Attribute ${name}`,
      mimeType: 'application/json',
    }));
    return [
      ...attributes,
      { uri: this.runtime.eventsUri, name: 'events', description: 'Recent device events, oldest first.', mimeType: 'application/json' },
    ];
  }

  private readResource(uri: string): unknown {
    if (uri === this.runtime.eventsUri) return this.runtime.events();
    for (const [name, attribute] of Object.entries(this.runtime.model.attributes)) {
      if (this.runtime.attributeUri(name) !== uri) continue;
      const value = this.runtime.getAttributes()[name] ?? null;
      return { name, type: attribute.type, value, ...(attribute.unit ? { unit: attribute.unit } : {}), ...this.runtime.attributeNote(name) };
    }
    throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${uri}`, { uri });
  }

  private get connected(): boolean {
    return !this.closed && this.transport !== undefined;
  }

  private forwardResourceUpdated(uri: string): void {
    if (this.options.capabilityNotifications === 'external' || !this.connected || !this.subscriptions.has(uri)) return;
    this.sendResourceUpdated({ uri }).catch(() => this.dispose());
  }

  private forwardListChanged(kind: ListKind): void {
    if (this.options.capabilityNotifications === 'external' || !this.connected) return;
    const send = kind === 'tools' ? this.sendToolListChanged() : kind === 'resources' ? this.sendResourceListChanged() : this.sendPromptListChanged();
    send.catch(() => this.dispose());
  }

  private forwardEvent(record: DeviceEventRecord): void {
    if (!this.connected) return;
    // Server.sendLoggingMessage drops messages below the level this session set with logging/setLevel.
    this.sendLoggingMessage({ level: record.level, logger: this.runtime.serverName, data: record.data }).catch(() => this.dispose());
  }
}

function toTool(fn: FunctionModel): Tool {
  return {
    name: fn.name,
    ...(fn.title ? { title: fn.title } : {}),
    description: fn.description,
    inputSchema: (fn.parameters ?? { type: 'object', properties: {} }) as Tool['inputSchema'],
    ...(fn.outputSchema ? { outputSchema: fn.outputSchema as Tool['outputSchema'] } : {}),
    ...(fn.annotations ? { annotations: fn.annotations } : {}),
  };
}

export function createDeviceSession(runtime: DeviceRuntime, clientId: string, options: SessionOptions = {}): Server {
  return new DeviceSession(runtime, clientId, options);
}
