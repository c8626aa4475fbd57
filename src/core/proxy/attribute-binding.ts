// Feeds one attribute from its device topic: decode, extract, store through the runtime (which sends
// resources/updated as the simulator does), and watch for silence (stale) and for malformed messages.
import type { AttributeModel, AttributeSource } from '../device/model.js';
import { fillPlaceholders } from '../device/topic-binding.js';
import { errorMessage } from '../util/logger.js';
import { reportTelemetryProblem, type BindingContext } from './binding-context.js';
import type { DeviceMessage } from './device-link.js';
import { extractValue } from './extract.js';
import { decodeReceived, MessageDecodeError } from './received.js';
import { birthFilterFor } from './sparkplug.js';

export class AttributeBinding {
  readonly topic: string;
  private readonly stopListening: (() => Promise<void>)[] = [];
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  private lastValueAt: number | undefined;
  private stale = false;
  /** The problem last reported, so a device repeating the same bad message is reported once, not every time. */
  private reportedProblem: string | undefined;
  private stopped = false;

  constructor(
    private readonly context: BindingContext,
    readonly name: string,
    private readonly attribute: AttributeModel,
    private readonly source: AttributeSource,
  ) {
    this.topic = fillPlaceholders(source.topic, context.instance);
  }

  async start(): Promise<void> {
    this.writeNote();
    this.armStaleTimer();
    const onMessage = (m: DeviceMessage): void => this.onMessage(m);
    this.stopListening.push(await this.context.link.listen(this.topic, onMessage));
    // DATA messages name their metrics only by alias; the BIRTH says which alias is which (and the first values).
    const birth = typeof this.source.extract === 'object' && 'sparkplug' in this.source.extract ? birthFilterFor(this.topic) : undefined;
    if (birth) this.stopListening.push(await this.context.link.listen(birth, onMessage));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.staleTimer);
    await Promise.all(this.stopListening.splice(0).map((stop) => stop().catch(() => undefined)));
  }

  private onMessage(m: DeviceMessage): void {
    if (this.stopped) return;
    let extracted;
    try {
      extracted = extractValue(this.attribute, this.source, decodeReceived(m.topic, m.payload, this.context.definitions));
    } catch (e) {
      if (!(e instanceof MessageDecodeError)) throw e;
      extracted = { kind: 'problem' as const, problem: `is ${e.message}` };
    }
    if (extracted.kind === 'absent') return;
    if (extracted.kind === 'problem') return this.problem(m.topic, extracted.problem);
    try {
      this.context.runtime.setAttribute(this.name, extracted.value);
    } catch (e) {
      return this.problem(m.topic, `was refused: ${errorMessage(e)}`);
    }
    this.lastValueAt = this.context.runtime.now();
    this.reportedProblem = undefined;
    if (this.stale) {
      this.stale = false;
      this.context.runtime.reportEvent({
        event: 'attribute_fresh', level: 'info',
        message: `${this.name} is current again (message on ${m.topic})`,
        data: { attribute: this.name, topic: m.topic },
      });
      this.writeNote();
    } else {
      this.writeNote({ quiet: true });
    }
    this.armStaleTimer();
  }

  private problem(topic: string, problem: string): void {
    if (problem === this.reportedProblem) return;
    this.reportedProblem = problem;
    reportTelemetryProblem(this.context, this.name, topic, problem, { attribute: this.name });
    this.writeNote();
  }

  private armStaleTimer(): void {
    const seconds = this.source.staleAfterSeconds;
    if (seconds === undefined || this.stopped) return;
    clearTimeout(this.staleTimer);
    this.staleTimer = setTimeout(() => this.becomeStale(seconds), seconds * 1000);
    this.staleTimer.unref?.();
  }

  private becomeStale(seconds: number): void {
    if (this.stopped || this.stale) return;
    this.stale = true;
    const since = this.lastValueAt === undefined ? 'since the proxy started' : `since ${new Date(this.lastValueAt).toISOString()}`;
    this.context.runtime.reportEvent({
      event: 'attribute_stale', level: 'warning',
      message: `${this.name} is stale: no usable message on ${this.topic} for ${seconds} s (${since}); its value may be out of date`,
      data: { attribute: this.name, topic: this.topic, staleAfterSeconds: seconds, lastMessageAt: this.isoLastValue() },
    });
    this.writeNote();
  }

  private isoLastValue(): string | null {
    return this.lastValueAt === undefined ? null : new Date(this.lastValueAt).toISOString();
  }

  /** Shown in the attribute's resource next to the value. */
  private writeNote(options: { quiet?: boolean } = {}): void {
    this.context.runtime.setAttributeNote(this.name, {
      source: {
        topic: this.topic,
        ...(this.source.unit ? { unit: this.source.unit } : {}),
        lastMessageAt: this.isoLastValue(),
        stale: this.stale,
        ...(this.reportedProblem ? { problem: `the last message ${this.reportedProblem}` } : {}),
      },
    }, options);
  }
}
