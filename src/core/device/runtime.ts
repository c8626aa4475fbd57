// One simulated device instance: attribute state, simulation timers, events, and the hooks the MQTT
// layer listens to. Sessions (one SDK Server per client, session.ts) are thin views over this shared state;
// the runtime itself knows nothing of how it is served.
import { attributeValueProblem, presentValue } from './attribute-values.js';
import { hasDynamics, stepAttribute, type OverlayState } from './dynamics.js';
import { evaluateExpression, renderTemplate, resolveValue, type ExpressionScope } from './expression.js';
import {
  attributeUri, eventsUri, findAttribute, setAttributeFunction,
  type AttributeAssignments, type DeviceModel, type EventModel, type FunctionModel, type LoggingLevel,
} from './model.js';
import type { Actuator } from './actuation.js';

export interface RuntimeOptions {
  /** Simulation step; default 1000 ms. */
  tickMs?: number;
  /** Source of randomness (noise, failure rate, latency ranges); pass a seeded one for tests. */
  random?: () => number;
  /** Clock in ms; a fake clock plus tick() makes the simulation deterministic. */
  now?: () => number;
  /** Performs functions that have a `publish` binding (the proxy); without it they are simulated like any other. */
  actuator?: Actuator;
}

export interface DeviceEventRecord {
  time: string;
  event: string;
  level: LoggingLevel;
  message: string;
  data: Record<string, unknown>;
}

export type ListKind = 'tools' | 'resources' | 'prompts';

/** What a session needs to hear about; the runtime fans changes out to every live session. */
export interface SessionSink {
  resourceUpdated(uri: string): void;
  listChanged(kind: ListKind): void;
  event(record: DeviceEventRecord): void;
}

export interface ActiveCall {
  functionName: string;
  cancel(reason: string): void;
}

const EVENT_HISTORY_LIMIT = 100;

export class DeviceRuntime {
  readonly serverName: string;
  readonly description: string;
  readonly eventsUri: string;
  readonly random: () => number;
  readonly now: () => number;
  readonly actuator: Actuator | undefined;

  private readonly values = new Map<string, unknown>();
  private readonly overlays = new Map<string, OverlayState>();
  private readonly eventArmed = new Map<string, boolean>();
  private readonly eventLastFired = new Map<string, number>();
  private readonly eventHistory: DeviceEventRecord[] = [];
  private readonly subscriberCounts = new Map<string, number>();
  private readonly resourceListeners = new Set<(uri: string) => void>();
  private readonly listListeners = new Set<(kind: ListKind) => void>();
  private readonly sessions = new Set<SessionSink>();
  private readonly activeCalls = new Set<ActiveCall>();
  private readonly attributeNotes = new Map<string, Record<string, unknown>>();
  private readonly tickMs: number;
  private readonly generatedFunctions: FunctionModel[];
  private availableToolNames: string;
  private startedAt: number;
  private lastTickAt: number;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly model: DeviceModel,
    readonly instance: { index: number; serverId: string },
    options: RuntimeOptions = {},
  ) {
    // A floor keeps a mistyped tickMs from spinning the event loop.
    this.tickMs = Math.max(10, options.tickMs ?? 1000);
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.actuator = options.actuator;
    this.serverName = model.serverName.replaceAll('{n}', String(instance.index)).replaceAll('{id}', instance.serverId);
    this.description = model.description;
    this.eventsUri = eventsUri(this.serverName);
    const writable = Object.entries(model.attributes).filter(([, a]) => a.writable).map(([name]) => name);
    this.generatedFunctions = writable.length ? [setAttributeFunction(writable)] : [];
    for (const [name, attribute] of Object.entries(model.attributes)) {
      this.values.set(name, structuredClone(attribute.initial ?? null));
      if (hasDynamics(attribute)) this.overlays.set(name, { overlay: 0 });
    }
    // A condition that already holds at power-on is not a crossing, so it must not fire.
    for (const event of model.events) if (isConditionEvent(event)) this.eventArmed.set(event.name, !this.holds(event.when!));
    this.startedAt = this.lastTickAt = this.now();
    this.availableToolNames = this.toolNamesKey();
  }

  start(): void {
    if (this.timer) return;
    this.lastTickAt = this.now();
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.timer.unref?.();
  }

  /** Stops the simulation and every running call: a stopped device answers nothing slowly. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const call of [...this.activeCalls]) call.cancel('the device stopped');
  }

  /** One simulation step at now(); start() runs it every tickMs. */
  tick(): void {
    const now = this.now();
    const deltaSeconds = Math.max(0, (now - this.lastTickAt) / 1000);
    this.lastTickAt = now;
    const before = this.getAttributes();
    for (const [name, state] of this.overlays) {
      const attribute = this.model.attributes[name]!;
      const toward = attribute.drift?.toward;
      const value = stepAttribute(attribute, state, {
        value: this.values.get(name) as number,
        elapsedSeconds: (now - this.startedAt) / 1000,
        deltaSeconds,
        random: this.random,
        toward: typeof toward === 'string' ? Number(this.evaluate(toward)) : toward,
      });
      this.values.set(name, value);
    }
    this.afterChange(before);
    this.firePeriodicEvents(now);
  }

  /** Attribute values as clients see them (rounded to their declared decimals). */
  getAttributes(): Record<string, unknown> {
    const shown: Record<string, unknown> = {};
    for (const [name, attribute] of Object.entries(this.model.attributes)) shown[name] = presentValue(attribute, this.values.get(name));
    return shown;
  }

  /** Sets one attribute from outside (the simulator panel, the MQTT layer); throws on a bad value. */
  setAttribute(name: string, value: unknown): void {
    this.setAttributes({ [name]: value });
  }

  /** Validates all values first so a bad one leaves the device untouched. */
  setAttributes(values: Record<string, unknown>): void {
    for (const [name, value] of Object.entries(values)) {
      const attribute = findAttribute(this.model, name);
      if (!attribute) throw new RangeError(`unknown attribute "${name}"`);
      const problem = attributeValueProblem(attribute, value);
      if (problem) throw new RangeError(`${name}: ${problem}`);
    }
    const before = this.getAttributes();
    for (const [name, value] of Object.entries(values)) {
      this.values.set(name, structuredClone(value));
      const overlay = this.overlays.get(name);
      if (overlay) overlay.overlay = 0;
    }
    this.afterChange(before);
  }

  /** Resolves "$expr" / template values in the scope, then sets them all. */
  applyAssignments(assignments: AttributeAssignments | undefined, scope: ExpressionScope): void {
    if (!assignments || Object.keys(assignments).length === 0) return;
    const resolved = Object.fromEntries(Object.entries(assignments).map(([name, value]) => [name, resolveValue(value, scope)]));
    this.setAttributes(resolved);
  }

  onResourceUpdated(listener: (uri: string) => void): () => void {
    this.resourceListeners.add(listener);
    return () => this.resourceListeners.delete(listener);
  }

  onListChanged(listener: (kind: ListKind) => void): () => void {
    this.listListeners.add(listener);
    return () => this.listListeners.delete(listener);
  }

  // ---- used by sessions and calls ---------------------------------------------------------------

  /** `received`: the MQTT message a proxy binding is looking at (payload, topic). */
  scope(args: Record<string, unknown> = {}, received?: Pick<ExpressionScope, 'payload' | 'topic'>): ExpressionScope {
    return {
      args, attributes: this.getAttributes(), instance: { n: this.instance.index, id: this.instance.serverId, serverName: this.serverName },
      ...received,
    };
  }

  evaluate(expression: string, args?: Record<string, unknown>): unknown {
    return evaluateExpression(expression, this.scope(args));
  }

  holds(expression: string, args?: Record<string, unknown>): boolean {
    return Boolean(this.evaluate(expression, args));
  }

  /** Functions a client may call right now, including the generated writer of writable attributes. */
  availableFunctions(): FunctionModel[] {
    const listed = this.model.functions.filter((fn) => !fn.availableWhen || this.holds(fn.availableWhen));
    return [...listed, ...this.generatedFunctions];
  }

  isGenerated(fn: FunctionModel): boolean {
    return this.generatedFunctions.includes(fn);
  }

  attributeUri(name: string): string {
    return attributeUri(this.serverName, name);
  }

  events(): readonly DeviceEventRecord[] {
    return this.eventHistory;
  }

  /**
   * Extra facts shown in an attribute's resource next to its value (a proxy's source topic, last message
   * time, staleness). A change counts as a change of the resource unless `quiet` (a timestamp that moves
   * with every message would otherwise wake subscribers as often as the device publishes).
   */
  setAttributeNote(name: string, note: Record<string, unknown> | undefined, options: { quiet?: boolean } = {}): void {
    if (!findAttribute(this.model, name)) throw new RangeError(`unknown attribute "${name}"`);
    const before = JSON.stringify(this.attributeNotes.get(name));
    if (note) this.attributeNotes.set(name, note);
    else this.attributeNotes.delete(name);
    if (!options.quiet && JSON.stringify(note) !== before) this.resourceUpdated(this.attributeUri(name));
  }

  attributeNote(name: string): Record<string, unknown> | undefined {
    return this.attributeNotes.get(name);
  }

  /** Fires a model event now, e.g. one whose `source` topic just received `received`. */
  raiseEvent(eventName: string, received?: Pick<ExpressionScope, 'payload' | 'topic'>): void {
    this.raise(eventName, received);
  }

  /** Records and sends an event that is not in the model (a proxy's stale attribute, malformed telemetry). */
  reportEvent(event: { event: string; level: LoggingLevel; message: string; data?: Record<string, unknown> }): void {
    const time = new Date(this.now()).toISOString();
    this.publishEvent({ time, event: event.event, level: event.level, message: event.message, data: { event: event.event, message: event.message, time, ...event.data } });
  }

  attachSession(sink: SessionSink): () => void {
    this.sessions.add(sink);
    return () => this.sessions.delete(sink);
  }

  /** Sessions count their subscriptions here so the hook fires only for resources someone watches. */
  subscribe(uri: string): void {
    this.subscriberCounts.set(uri, (this.subscriberCounts.get(uri) ?? 0) + 1);
  }

  unsubscribe(uri: string): void {
    const count = (this.subscriberCounts.get(uri) ?? 0) - 1;
    if (count > 0) this.subscriberCounts.set(uri, count);
    else this.subscriberCounts.delete(uri);
  }

  trackCall(call: ActiveCall): () => void {
    this.activeCalls.add(call);
    return () => this.activeCalls.delete(call);
  }

  cancelCalls(functionNames: string[], reason: string): void {
    for (const call of [...this.activeCalls]) if (functionNames.includes(call.functionName)) call.cancel(reason);
  }

  // ---- change propagation -----------------------------------------------------------------------

  private afterChange(before: Record<string, unknown>): void {
    const after = this.getAttributes();
    for (const name of Object.keys(after)) {
      if (JSON.stringify(before[name]) !== JSON.stringify(after[name])) this.resourceUpdated(this.attributeUri(name));
    }
    this.fireConditionEvents();
    const toolNames = this.toolNamesKey();
    if (toolNames !== this.availableToolNames) {
      this.availableToolNames = toolNames;
      for (const listener of this.listListeners) listener('tools');
      for (const session of this.sessions) session.listChanged('tools');
    }
  }

  private resourceUpdated(uri: string): void {
    // Sessions filter by their own subscriptions; the shared hook only fires for watched resources.
    for (const session of this.sessions) session.resourceUpdated(uri);
    if (!this.subscriberCounts.has(uri)) return;
    for (const listener of this.resourceListeners) listener(uri);
  }

  private toolNamesKey(): string {
    return this.availableFunctions().map((fn) => fn.name).join('\n');
  }

  private fireConditionEvents(): void {
    for (const event of this.model.events) {
      if (!isConditionEvent(event)) continue;
      const armed = this.eventArmed.get(event.name) ?? true;
      if (armed && this.holds(event.when!)) {
        this.eventArmed.set(event.name, false);
        this.raise(event.name);
      } else if (!armed && (event.rearmWhen ? this.holds(event.rearmWhen) : !this.holds(event.when!))) {
        this.eventArmed.set(event.name, true);
      }
    }
  }

  private firePeriodicEvents(now: number): void {
    for (const event of this.model.events) {
      if (!event.everySeconds || event.source) continue;
      const last = this.eventLastFired.get(event.name) ?? this.startedAt;
      if (now - last < event.everySeconds * 1000) continue;
      this.eventLastFired.set(event.name, now);
      if (!event.when || this.holds(event.when)) this.raise(event.name);
    }
  }

  private raise(eventName: string, received?: Pick<ExpressionScope, 'payload' | 'topic'>): void {
    const event = this.model.events.find((e) => e.name === eventName);
    if (!event) throw new RangeError(`unknown event "${eventName}"`);
    const scope = this.scope({}, received);
    const message = renderTemplate(event.message, scope);
    const time = new Date(this.now()).toISOString();
    const extra = event.data ? (resolveValue(event.data, scope) as Record<string, unknown>) : {};
    const record: DeviceEventRecord = {
      time, event: event.name, level: event.level ?? 'info', message,
      data: { event: event.name, message, time, ...extra },
    };
    this.publishEvent(record);
  }

  private publishEvent(record: DeviceEventRecord): void {
    this.eventHistory.push(record);
    if (this.eventHistory.length > EVENT_HISTORY_LIMIT) this.eventHistory.shift();
    for (const session of this.sessions) session.event(record);
    this.resourceUpdated(this.eventsUri);
  }
}

/** Fires on attribute changes; events bound to a topic fire on that topic's messages instead (the proxy). */
function isConditionEvent(event: EventModel): boolean {
  return Boolean(event.when) && !event.everySeconds && !event.source;
}

