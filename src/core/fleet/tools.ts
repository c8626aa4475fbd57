// The fleet server's tools as the agent sees them: a handful that work the same for 5 devices or 100,000,
// instead of one MCP server (and its tools) per device.
import type { Tool } from '@modelcontextprotocol/sdk/types.js';

const serverName = { type: 'string', description: 'The device\'s server-name, exactly as find_devices gives it.' } as const;

export const FLEET_TOOLS: Tool[] = [
  {
    name: 'find_devices',
    description:
      'Finds MCP devices on this broker. filter: a server-name filter with MQTT wildcards (+ one level, # the rest; default #). ' +
      'text: words that must all appear in the name or description (case-insensitive). Returns names, descriptions, instance ' +
      'counts and, once known, tool names; page with cursor.',
    inputSchema: {
      type: 'object',
      properties: {
        filter: { type: 'string', description: 'Server-name filter, MQTT wildcards allowed, e.g. "building-a/+/thermostat-#"' },
        text: { type: 'string', description: 'Case-insensitive words to look for in name and description' },
        online_only: { type: 'boolean', description: 'Only devices online now (default true)' },
        limit: { type: 'integer', minimum: 1, maximum: 500, description: 'Page size (default 50)' },
        cursor: { type: 'string', description: 'next_cursor from the previous page' },
      },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, title: 'Find devices' },
  },
  {
    name: 'describe_device',
    description: 'What one device offers: its tools with input schemas, resources, resource templates and prompts.',
    inputSchema: { type: 'object', properties: { server_name: serverName }, required: ['server_name'], additionalProperties: false },
    annotations: { readOnlyHint: true, title: 'Describe a device' },
  },
  {
    name: 'call_device_tool',
    description:
      'Calls one tool on one device. The arguments are checked against the tool\'s input schema before anything is sent. ' +
      'A failure says whether the device reported the error or the device could not be reached.',
    inputSchema: {
      type: 'object',
      properties: {
        server_name: serverName,
        tool: { type: 'string', description: 'Tool name from describe_device' },
        arguments: { type: 'object', description: 'Arguments for the device tool' },
      },
      required: ['server_name', 'tool'],
      additionalProperties: false,
    },
    annotations: { title: 'Call a device tool' },
  },
  {
    name: 'read_device_resource',
    description: 'Reads one resource of one device by URI.',
    inputSchema: {
      type: 'object',
      properties: { server_name: serverName, uri: { type: 'string', description: 'Resource URI from describe_device' } },
      required: ['server_name', 'uri'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true, title: 'Read a device resource' },
  },
  {
    name: 'call_many',
    description:
      'Calls one tool on every online device whose server-name matches filter, a few at a time, and returns one result per ' +
      'device. Refused when more devices match than the user\'s cap allows: narrow the filter.',
    inputSchema: {
      type: 'object',
      properties: {
        filter: { type: 'string', description: 'Server-name filter, MQTT wildcards allowed' },
        tool: { type: 'string' },
        arguments: { type: 'object' },
        concurrency: { type: 'integer', minimum: 1, maximum: 32, description: 'Calls in flight at once (default 8)' },
      },
      required: ['filter', 'tool'],
      additionalProperties: false,
    },
    annotations: { title: 'Call a tool on many devices' },
  },
];
