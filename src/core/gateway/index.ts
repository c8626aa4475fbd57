export { McpGateway, serverNameFromPath, type GatewayAddress, type GatewayOptions, type GatewayServer } from './gateway.js';
export { PassThrough, DEVICE_UNAVAILABLE_CODE, UNTRUSTED_DEVICE_NOTE, type PassThroughOptions } from './pass-through.js';
export { DeviceTransport, DeviceUnavailableError } from './device-transport.js';
export { toolListHash } from './tool-hash.js';
