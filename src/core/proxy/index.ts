// The device proxy: existing MQTT / Sparkplug B devices served as MCP servers, described by device models with bindings.
export { DeviceProxy, type DeviceProxyOptions, type ProxiedDevice, type AddOptions } from './device-proxy.js';
export { DeviceLink, type DeviceLinkOptions } from './device-link.js';
export { encodeSparkplug, decodeSparkplug, SparkplugDefinitions, type SparkplugCommandMetric } from './sparkplug.js';
export { extractValue, resolvePointer } from './extract.js';
