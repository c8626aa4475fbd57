// Device models and the simulated-device runtime. The MQTT wiring (src/core/server) uses only this.
export { loadDeviceModel, parseDeviceModel, type DeviceModelSource } from './loader.js';
export { DeviceRuntime, type RuntimeOptions, type DeviceEventRecord, type ListKind } from './runtime.js';
export { createDeviceSession, type SessionOptions } from './session.js';
export type { Actuator, ActuationOutcome, ReceivedMessage } from './actuation.js';
export { seededRandom } from './dynamics.js';
export {
  DeviceModelError, attributeUri, eventsUri, SET_ATTRIBUTE_TOOL,
  type DeviceModel, type ModelIssue, type AttributeModel, type FunctionModel, type EventModel, type PromptModel,
} from './model.js';
