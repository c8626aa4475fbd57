// How a device model's function reaches a real device (the proxy's `publish` bindings). Types only: the
// runtime holds an Actuator, the function call uses it, and neither needs the other's module for that.
import type { FunctionModel } from './model.js';

/** What a real device sent back for a function that publishes (see Actuator). */
export interface ReceivedMessage {
  topic: string;
  /** Parsed JSON, decoded Sparkplug B metrics, or the text. */
  payload: unknown;
  text: string;
}

export type ActuationOutcome =
  | { ok: true; summary: string; received?: ReceivedMessage }
  | { ok: false; message: string };

/** Carries out a function's `publish` binding on a real device (the proxy); replaces simulated latency and failure. */
export type Actuator = (fn: FunctionModel, args: Record<string, unknown>, signal: AbortSignal) => Promise<ActuationOutcome>;
