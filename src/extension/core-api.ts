// The heavy parts of the core (MCP SDK, MQTT.js, ajv, YAML, protobuf, HTTP), bundled apart from the
// extension's entry so activation only compiles the small bundle; `loadCore()` requires this one on first
// use. Namespaced, because the parts share export names.
export * as client from '../core/client/mcp-client.js';
export * as catalog from '../core/client/catalog.js';
export * as forms from '../core/forms/index.js';
export * as gateway from '../core/gateway/index.js';
export * as conformance from '../core/conformance/index.js';
export * as demo from '../core/simulator/demo.js';
export * as simulator from '../core/simulator/simulator.js';
export * as device from '../core/device/index.js';
export * as proxy from '../core/proxy/index.js';
export * as scaffold from '../core/scaffold/index.js';
export * as watch from '../core/watch/index.js';
export * as callSource from '../core/util/call-source.js';
export * as deviceRequests from '../core/client/device-requests.js';
// The class the SDK Client (in this bundle) throws, for instanceof checks in the extension's entry bundle.
export { McpError } from '@modelcontextprotocol/sdk/types.js';
