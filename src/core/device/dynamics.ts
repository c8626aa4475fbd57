// Simulated change of numeric attributes. A value is an underlying level (moved by drift, replaced by
// writes) plus an overlay (the sine and the jitter of this tick). Keeping the two apart means noise
// does not accumulate into a random walk and a write sets the level the device then wanders around.
import type { AttributeModel } from './model.js';

export interface OverlayState {
  /** How far the shown value currently sits from the underlying level. */
  overlay: number;
}

export const hasDynamics = (attribute: AttributeModel): boolean =>
  attribute.drift !== undefined || attribute.noise !== undefined || attribute.periodic !== undefined;

const clamp = (value: number, attribute: AttributeModel): number =>
  Math.min(attribute.max ?? Infinity, Math.max(attribute.min ?? -Infinity, value));

export interface StepInput {
  value: number;
  elapsedSeconds: number;
  deltaSeconds: number;
  random: () => number;
  /** The drift target this tick, already evaluated (the model's `toward`, if it has one). */
  toward?: number;
}

/** The next shown value; updates `state.overlay`. */
export function stepAttribute(attribute: AttributeModel, state: OverlayState, input: StepInput): number {
  let level = input.value - state.overlay;
  if (attribute.drift) {
    const step = attribute.drift.rate * input.deltaSeconds;
    if (attribute.drift.toward === undefined) {
      level += step;
    } else if (input.toward !== undefined && Number.isFinite(input.toward)) {
      // Approach the target at |rate| and stop there rather than overshoot.
      const gap = input.toward - level;
      level += Math.sign(gap) * Math.min(Math.abs(step), Math.abs(gap));
    }
  }
  level = clamp(level, attribute);
  let overlay = 0;
  if (attribute.periodic) {
    overlay += attribute.periodic.amplitude * Math.sin((2 * Math.PI * input.elapsedSeconds) / attribute.periodic.periodSeconds);
  }
  if (attribute.noise) overlay += (input.random() * 2 - 1) * attribute.noise.amplitude;
  const shown = clamp(level + overlay, attribute);
  state.overlay = shown - level;
  return shown;
}

/** A small deterministic generator (mulberry32) for reproducible simulations and tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
