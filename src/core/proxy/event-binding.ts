// Fires a model event from a device topic: on every message, or, with `when`, each time the condition
// becomes true (re-armed as in the simulator: by `rearmWhen`, or once `when` is false again).
import { evaluateExpression } from '../device/expression.js';
import type { EventModel } from '../device/model.js';
import { fillPlaceholders } from '../device/topic-binding.js';
import { errorMessage } from '../util/logger.js';
import { reportTelemetryProblem, type BindingContext } from './binding-context.js';
import type { DeviceMessage } from './device-link.js';
import { decodeReceived, MessageDecodeError } from './received.js';

export class EventBinding {
  readonly topic: string;
  private stopListening: (() => Promise<void>) | undefined;
  private armed = true;

  constructor(private readonly context: BindingContext, private readonly event: EventModel & { source: { topic: string } }) {
    this.topic = fillPlaceholders(event.source.topic, context.instance);
  }

  async start(): Promise<void> {
    this.stopListening = await this.context.link.listen(this.topic, (m) => this.onMessage(m));
  }

  async stop(): Promise<void> {
    await this.stopListening?.().catch(() => undefined);
    this.stopListening = undefined;
  }

  private onMessage(m: DeviceMessage): void {
    // A retained message is the device's old news, replayed because the proxy just subscribed.
    if (m.retain || !this.stopListening) return;
    const { runtime } = this.context;
    let received;
    try {
      const decoded = decodeReceived(m.topic, m.payload, this.context.definitions);
      received = { payload: decoded.payload, topic: m.topic };
    } catch (e) {
      if (!(e instanceof MessageDecodeError)) throw e;
      return reportTelemetryProblem(this.context, `event ${this.event.name}`, m.topic, `is ${e.message}`, { event: this.event.name });
    }
    try {
      const { when, rearmWhen } = this.event;
      if (!when) return runtime.raiseEvent(this.event.name, received);
      const holds = (expression: string): boolean => Boolean(evaluateExpression(expression, runtime.scope({}, received)));
      if (this.armed && holds(when)) {
        this.armed = false;
        runtime.raiseEvent(this.event.name, received);
      } else if (!this.armed && (rearmWhen ? holds(rearmWhen) : !holds(when))) {
        this.armed = true;
      }
    } catch (e) {
      reportTelemetryProblem(this.context, `event ${this.event.name}`, m.topic, `could not be evaluated: ${errorMessage(e)}`, { event: this.event.name });
    }
  }
}
