// The shape of a device model file after loading. schemas/device-model.schema.json describes the
// same shape for editors; keep the two in step.

export type AttributeType = 'number' | 'integer' | 'string' | 'boolean' | 'enum' | 'object';

export interface AttributeModel {
  type: AttributeType;
  description?: string;
  unit?: string;
  /** Required unless the attribute has a `source`; a proxied attribute without one is null until its first message. */
  initial?: unknown;
  /** Allowed values of an enum attribute. */
  values?: string[];
  min?: number;
  max?: number;
  /** Decimal places shown to clients; the simulation keeps full precision underneath. */
  decimals?: number;
  /** Clients may change it directly through the generated `set_attribute` tool. */
  writable?: boolean;
  /** Moves `rate` per second toward `toward` (a number or an expression), or without end when absent. */
  drift?: { rate: number; toward?: number | string };
  /** Jitter of up to ± amplitude around the underlying value, fresh every tick. */
  noise?: { amplitude: number };
  /** A sine wave of the given amplitude and period laid over the underlying value. */
  periodic?: { periodSeconds: number; amplitude: number };
  /** Proxy only: the value comes from messages on a real device's topic (the simulator ignores it). */
  source?: AttributeSource;
}

/** How the value is taken out of a message: the text, a number, a JSON pointer, or a Sparkplug B metric. */
export type Extraction = 'raw' | 'number' | { json: string } | { sparkplug: string };

export interface AttributeSource {
  /** MQTT topic or filter (`+`, `#`); {n} and {id} are the instance number and server-id. */
  topic: string;
  extract?: Extraction;
  /** Numeric values are multiplied by scale, then offset is added (e.g. tenths of a degree: scale 0.1). */
  scale?: number;
  offset?: number;
  /** Unit the device itself reports in, for people reading the model and the resource. */
  unit?: string;
  /** No message for this long marks the attribute stale (in its resource and with a logging event). */
  staleAfterSeconds?: number;
}

/** Proxy only: a function that acts by publishing a command to the real device. */
export interface PublishModel {
  /** Topic (no wildcards); {n}/{id} and {{ }} templates over args and attributes. */
  topic: string;
  /** A string is a template sent as text; anything else is resolved and sent as JSON. */
  payload?: unknown;
  /** 'sparkplug': the resolved payload `{ metrics: [{ name, type, value }] }` is sent as a Sparkplug B payload. */
  format?: 'text' | 'json' | 'sparkplug';
  qos?: 0 | 1 | 2;
  retain?: boolean;
  confirm?: ConfirmModel;
}

export interface ConfirmModel {
  /** Where the confirmation arrives; with `correlate` it is also sent as the MQTT 5 response topic. */
  topic?: string;
  /** Condition over payload, topic, args and attributes that the confirmation must meet. */
  when?: string;
  /** MQTT 5 request/response: the command carries a response topic and correlation data, and only a reply with the same correlation data counts. */
  correlate?: boolean;
  timeoutMs?: number;
}
export type ModelValue = unknown;
export type AttributeAssignments = Record<string, ModelValue>;

export interface ErrorCase {
  /** Condition over `args` and attributes. */
  when: string;
  /** Template for the error text. */
  message: string;
  /** With a code the call fails as a JSON-RPC error; without one it returns an `isError` result. */
  code?: number;
  data?: ModelValue;
}

export type ContentModel =
  | { type: 'text'; text: string }
  | { type: 'image'; data: string; mimeType: string }
  | { type: 'audio'; data: string; mimeType: string }
  | { type: 'resource'; resource: { uri: string; mimeType?: string; text?: string; blob?: string } }
  | { type: 'resource_link'; uri: string; name: string; description?: string; mimeType?: string };

export interface ReturnsModel {
  text?: string;
  structured?: ModelValue;
  content?: ContentModel[];
}

export interface FunctionModel {
  name: string;
  title?: string;
  description: string;
  parameters?: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean };
  /** The tool is listed only while this holds; changes send tools/list_changed. */
  availableWhen?: string;
  errors?: ErrorCase[];
  failureRate?: number;
  failureMessage?: string;
  /** ms: a number, a random range, or an expression ("$args.seconds * 1000"). */
  latencyMs?: number | { min: number; max: number } | string;
  progress?: { steps?: number; message?: string; attribute?: string };
  onStart?: { set: AttributeAssignments };
  set?: AttributeAssignments;
  onCancel?: { set: AttributeAssignments };
  /** Running calls of these functions (on this device, any session) stop when this one starts. */
  cancels?: string[];
  returns?: ReturnsModel;
  publish?: PublishModel;
  /** Asks the client's user first (MCP elicitation); nothing happens unless they accept. */
  elicit?: ElicitModel;
  /** Asks the client's model (MCP sampling); its answer is `sampled.text` in `set` and `returns`. */
  sample?: SampleModel;
}

export interface ElicitModel {
  /** Template shown to the user, e.g. "Cancel printing {{attributes.job}}?". */
  message: string;
  /** What to ask besides yes/no: an object schema of flat properties; its answer is `elicited` in `set` and `returns`. */
  schema?: Record<string, unknown>;
}

export interface SampleModel {
  /** Template of the user message sent to the client's model. */
  prompt: string;
  systemPrompt?: string;
  /** Default 300. */
  maxTokens?: number;
}

export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';

export interface EventModel {
  name: string;
  description?: string;
  /** Fires when this becomes true (not while it stays true). */
  when?: string;
  /** Hysteresis: after firing, the event re-arms only once this holds (default: `when` is false again). */
  rearmWhen?: string;
  everySeconds?: number;
  level?: LoggingLevel;
  message: string;
  data?: Record<string, ModelValue>;
  /** Proxy only: fires on messages on this topic (every message, or when `when` becomes true over payload/topic). */
  source?: { topic: string };
}

export interface PromptModel {
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
  messages: { role: 'user' | 'assistant'; text: string }[];
}

export interface DeviceModel {
  /** May contain {n} (1-based instance number) and {id} (server-id). */
  serverName: string;
  title?: string;
  description: string;
  instructions?: string;
  serverIdPrefix?: string;
  version?: string;
  attributes: Record<string, AttributeModel>;
  functions: FunctionModel[];
  events: EventModel[];
  prompts: PromptModel[];
  /** Roles declared in presence as `meta.rbac` (spec shape, snake_case keys), passed through unchanged. */
  rbac?: { roles: { name: string; description?: string; allowed_methods: string[]; allowed_tools: 'all' | string[]; allowed_resources: 'all' | string[] }[] };
  /** Where the model came from, for messages. */
  source?: string;
}

export interface ModelIssue {
  /** Dotted path into the model, e.g. `functions[2].parameters.type`. */
  path: string;
  message: string;
  /** 1-based position in the source text, when known. */
  line?: number;
  column?: number;
}

export class DeviceModelError extends Error {
  constructor(readonly issues: ModelIssue[], source?: string) {
    super(formatIssues(issues, source));
    this.name = 'DeviceModelError';
  }
}

function formatIssues(issues: ModelIssue[], source?: string): string {
  const where = source ? `${source}: ` : '';
  const lines = issues.map((i) => {
    const at = i.line ? ` (line ${i.line}${i.column ? `, column ${i.column}` : ''})` : '';
    return `${i.path ? `${i.path}: ` : ''}${i.message}${at}`;
  });
  if (lines.length === 1) return `${where}invalid device model: ${lines[0]}`;
  return `${where}invalid device model (${lines.length} problems):\n  ${lines.join('\n  ')}`;
}

/** The generated tool that writes `writable` attributes. */
export const SET_ATTRIBUTE_TOOL = 'set_attribute';

/** The tool a device gets for its writable attributes (simulator, proxy and scaffolds alike). */
export function setAttributeFunction(writable: string[]): FunctionModel {
  return {
    name: SET_ATTRIBUTE_TOOL,
    description: `Set one of the device's writable attributes (${writable.join(', ')}) directly.`,
    parameters: {
      type: 'object',
      properties: {
        name: { type: 'string', enum: writable, description: 'Attribute to set.' },
        value: { description: 'New value; must fit the attribute type.' },
      },
      required: ['name', 'value'],
    },
    returns: { text: '{{args.name}} is now {{json(attributes[args.name])}}' },
  };
}

export function attributeUri(serverName: string, attribute: string): string {
  return `device://${serverName}/attributes/${attribute}`;
}

export function eventsUri(serverName: string): string {
  return `device://${serverName}/events`;
}

/** Own attributes only: a name like "constructor" must not find Object.prototype members. */
export function findAttribute(model: DeviceModel, name: string): AttributeModel | undefined {
  return Object.hasOwn(model.attributes, name) ? model.attributes[name] : undefined;
}
