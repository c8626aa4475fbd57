export { Fleet, DEFAULT_MAX_CALL_MANY, type FleetOptions } from './fleet-server.js';
export { FleetEndpoint } from './endpoint.js';
export { callDeviceTool, type DeviceCallResult, type CallOutcome } from './calls.js';
