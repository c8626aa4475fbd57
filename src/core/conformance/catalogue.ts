// Every check the runner knows, in report order. The rule texts are the checker's own summaries of the
// spec; the runner fills in a verdict, what it expected and what it saw.
import type { CheckDefinition, CheckGroup } from './types.js';

const TRANSPORT = 'https://mqtt.ai/mcp/specification/2025-03-26/basic/mqtt_transport.html';
const MCP = 'https://modelcontextprotocol.io/specification/2025-06-18';

type Entry = Omit<CheckDefinition, 'group'>;

const groups: Record<CheckGroup, Entry[]> = {
  // Judged from the device's own packets: only in packet mode (`check --listen`), where the checker is the broker.
  connection: [
    {
      id: 'connection.mqtt5',
      title: 'Connects with MQTT 5',
      rule: 'The device connects with MQTT 5.0 (protocol level 5): user properties, No Local and session expiry do not exist in 3.1.1.',
      requirement: 'MUST',
      section: '§8.1, §3',
      specUrl: `${TRANSPORT}#mqtt-protocol-version`,
    },
    {
      id: 'connection.connect-properties',
      title: 'CONNECT carries the MCP user properties',
      rule: 'CONNECT carries MCP-COMPONENT-TYPE: mcp-server and MCP-META, a JSON object describing the server (many SDKs omit MCP-META).',
      requirement: 'MUST',
      section: '§8.2, §3',
      specUrl: `${TRANSPORT}#user-property`,
    },
    {
      id: 'connection.client-id',
      title: 'MQTT client id is the server-id',
      rule: 'The MQTT client id is the server-id that appears in the device\'s presence, control, capability and RPC topics.',
      requirement: 'MUST',
      section: '§8.3, §1',
      specUrl: `${TRANSPORT}#terminology`,
    },
  ],
  presence: [
    {
      id: 'presence.retained',
      title: 'Presence is retained',
      rule: 'The online notification is published with RETAIN on $mcp-server/presence/{server-id}/{server-name}, so a client that subscribes later still finds the server.',
      requirement: 'MUST',
      section: '§8.7, §5.1',
      specUrl: `${TRANSPORT}#service-registration`,
    },
    {
      id: 'presence.well-formed',
      title: 'Presence message is well-formed',
      rule: 'The presence payload is a JSON-RPC 2.0 notification "notifications/server/online" without an id, and params.description is a string.',
      requirement: 'MUST',
      section: '§8.8, §4',
      specUrl: `${TRANSPORT}#service-registration`,
    },
    {
      id: 'presence.server-name-field',
      title: 'params.server_name matches the topic',
      rule: 'params.server_name is given and equals the server-name in the presence topic (clients take the name from the topic when it is missing).',
      requirement: 'SHOULD',
      section: '§8.8, §4',
      specUrl: `${TRANSPORT}#service-registration`,
    },
    {
      id: 'presence.meta',
      title: 'Presence meta and RBAC roles have the defined shape',
      rule: 'params.meta, if present, is an object; each meta.rbac.roles[] entry has name, description, allowed_methods[] and allowed_tools/allowed_resources that are "all" or an array.',
      requirement: 'SHOULD',
      section: '§8.8, §6',
      specUrl: `${TRANSPORT}#service-registration`,
    },
    {
      id: 'presence.size',
      title: 'Presence message is small',
      rule: 'The online notification carries a short description and no full tool schemas; details come from */list after initialize.',
      requirement: 'SHOULD',
      section: '§8.9',
      specUrl: `${TRANSPORT}#service-registration`,
    },
    {
      id: 'presence.names',
      title: 'server-name and server-id follow the naming rules',
      rule: 'server-name has no "+" or "#" and no empty levels, and is hierarchical ("type/sub-type/name"); server-id has no "/", "+" or "#".',
      requirement: 'MUST',
      section: '§8.3, §8.9, §1',
      specUrl: `${TRANSPORT}#terminology`,
    },
  ],
  initialize: [
    {
      id: 'initialize.answered',
      title: 'initialize is answered in time',
      rule: 'An initialize request on the control topic $mcp-server/{server-id}/{server-name}, carrying MCP-MQTT-CLIENT-ID, gets a response with the same id within the initialize timeout (30 s).',
      requirement: 'MUST',
      section: '§8.11, §4 Timeouts',
      specUrl: `${TRANSPORT}#initialization`,
    },
    {
      id: 'initialize.answer-topic',
      title: 'initialize is answered on the RPC topic',
      rule: 'The initialize response goes to $mcp-rpc/{mcp-client-id}/{server-id}/{server-name}, not to the control topic.',
      requirement: 'MUST',
      section: '§8.11, §5.3',
      specUrl: `${TRANSPORT}#initialization`,
    },
    {
      id: 'initialize.result',
      title: 'initialize result is valid',
      rule: 'The initialize result has protocolVersion, capabilities and serverInfo (MCP InitializeResult).',
      requirement: 'MUST',
      section: '§8.11',
      specUrl: `${MCP}/basic/lifecycle#initialization`,
    },
    {
      id: 'initialize.protocol-version',
      title: 'Negotiated protocol version',
      rule: 'The server answers with the protocol version the client asked for when it supports it, otherwise with another MCP version it supports.',
      requirement: 'MUST',
      section: '§4, §10.7',
      specUrl: `${MCP}/basic/lifecycle#version-negotiation`,
    },
    {
      id: 'initialize.subscribed-before-reply',
      title: 'Subscriptions are in place before the reply',
      rule: 'The server subscribes to the client\'s RPC, presence and capability topics before it sends the initialize response, so requests sent right after the response are answered.',
      requirement: 'MUST',
      section: '§8.12, §5.3',
      specUrl: `${TRANSPORT}#mcp-server-subscriptions`,
    },
    {
      id: 'initialize.version-negotiation',
      title: 'Unsupported protocol version is negotiated',
      rule: 'An initialize asking for an unsupported protocolVersion gets a version the server supports, or error -32602.',
      requirement: 'MUST',
      section: '§8.14',
      specUrl: `${MCP}/basic/lifecycle#version-negotiation`,
    },
  ],
  operation: [
    {
      id: 'operation.ping',
      title: 'ping gets an empty result',
      rule: 'ping on the RPC topic is answered within 10 s with an empty result {}.',
      requirement: 'MUST',
      section: '§8.15, §4',
      specUrl: `${MCP}/basic/utilities/ping`,
    },
    {
      id: 'operation.tools-list',
      title: 'tools/list result is valid',
      rule: 'When the tools capability is advertised, tools/list is answered within 30 s with a valid ListToolsResult.',
      requirement: 'MUST',
      section: '§8.16',
      specUrl: `${MCP}/server/tools#listing-tools`,
    },
    {
      id: 'operation.resources-list',
      title: 'resources/list result is valid',
      rule: 'When the resources capability is advertised, resources/list is answered within 30 s with a valid ListResourcesResult.',
      requirement: 'MUST',
      section: '§8.16',
      specUrl: `${MCP}/server/resources#listing-resources`,
    },
    {
      id: 'operation.prompts-list',
      title: 'prompts/list result is valid',
      rule: 'When the prompts capability is advertised, prompts/list is answered within 30 s with a valid ListPromptsResult.',
      requirement: 'MUST',
      section: '§8.16',
      specUrl: `${MCP}/server/prompts#listing-prompts`,
    },
    {
      id: 'operation.tools-call',
      title: 'tools/call result is valid',
      rule: 'A call of the named tool is answered within 60 s with a valid CallToolResult.',
      requirement: 'MUST',
      section: '§8.16',
      specUrl: `${MCP}/server/tools#calling-tools`,
    },
    {
      id: 'operation.unknown-method',
      title: 'Unknown method gets -32601',
      rule: 'A request for a method the server does not implement gets JSON-RPC error -32601 (method not found).',
      requirement: 'MUST',
      section: '§8.16',
      specUrl: 'https://www.jsonrpc.org/specification#error_object',
    },
  ],
  traffic: [
    {
      id: 'traffic.user-properties',
      title: 'Every publish carries the MCP user properties',
      rule: 'Every MCP PUBLISH from the server carries MCP-COMPONENT-TYPE: mcp-server and MCP-MQTT-CLIENT-ID: {server-id}.',
      requirement: 'MUST',
      section: '§8.10, §3',
      specUrl: `${TRANSPORT}#user-property`,
    },
    {
      id: 'traffic.rpc-topic',
      title: 'Session traffic stays on the RPC topic',
      rule: 'After initialize, responses and server-to-client requests for this client appear only on $mcp-rpc/{mcp-client-id}/{server-id}/{server-name}, once per request.',
      requirement: 'MUST',
      section: '§8.16, §8.18, §5.4',
      specUrl: `${TRANSPORT}#mcp-server-publications`,
    },
    {
      id: 'traffic.capability-topic',
      title: 'Capability notifications use the capability topic',
      rule: 'list_changed and resources/updated notifications appear only on $mcp-server/capability/{server-id}/{server-name}, never on the RPC topic.',
      requirement: 'MUST',
      section: '§8.17, §5.4',
      specUrl: `${TRANSPORT}#capability-list-changed`,
    },
    {
      id: 'traffic.capability-advertised',
      title: 'Capability notifications match the advertised capabilities',
      rule: 'A list_changed notification is sent only when the matching listChanged capability was advertised (resources/updated only with resources.subscribe).',
      requirement: 'SHOULD',
      section: '§8.17',
      specUrl: `${MCP}/server/tools#list-changed-notification`,
    },
    {
      id: 'traffic.legacy-topics',
      title: 'No legacy topics',
      rule: 'Nothing is published on the pre-2025-06-19 topics $mcp-rpc-endpoint/..., $mcp-server/capability/list-changed/... or .../resource-updated/..., which current clients do not subscribe to.',
      requirement: 'MUST',
      section: '§8.17, §0',
      specUrl: `${TRANSPORT}#message-topics`,
    },
    {
      id: 'traffic.no-echo',
      title: 'No Local on the RPC subscription',
      rule: 'The RPC subscription uses No Local, so the server never receives its own publishes: seen in the SUBSCRIBE packet in packet mode, otherwise only as answers to ids the client never sent.',
      requirement: 'MUST',
      section: '§8.13, §3',
      specUrl: `${TRANSPORT}#mcp-server-subscriptions`,
    },
    {
      id: 'traffic.qos',
      title: 'QoS 0 or 1',
      rule: 'The spec sets no QoS since 2025-06-20; every SDK publishes and subscribes at QoS 0 or 1, and MCP brokers may grant at most QoS 1.',
      requirement: 'SHOULD',
      section: '§2',
      specUrl: `${TRANSPORT}#message-topics`,
    },
    {
      id: 'traffic.topics',
      title: 'Publishes only on its own MCP topics',
      rule: 'Every $mcp-... topic the device publishes on carries its own server-id and server-name (the broker-suggested MCP-SERVER-NAME when CONNACK gave one), and it subscribes to its control topic.',
      requirement: 'MUST',
      section: '§2, §8.6, §5.1',
      specUrl: `${TRANSPORT}#message-topics`,
    },
  ],
  instances: [
    {
      id: 'instances.isolation',
      title: 'Instances answer only on their own topics',
      rule: 'Several instances of one server-name each keep their own presence and answer only on RPC topics that carry their own server-id.',
      requirement: 'MUST',
      section: '§8.23, §5.8',
      specUrl: `${TRANSPORT}#terminology`,
    },
  ],
  teardown: [
    {
      id: 'teardown.deinitialize',
      title: 'De-initialize stops the session',
      rule: 'After notifications/disconnected on the RPC topic the server drops the session and unsubscribes: a later request on that RPC topic is not answered.',
      requirement: 'MUST',
      section: '§8.19, §5.6',
      specUrl: `${TRANSPORT}#client-disconnect`,
    },
    {
      id: 'teardown.client-presence',
      title: 'Client presence ends the session',
      rule: 'The server listens on $mcp-client/presence/{mcp-client-id}: after the client publishes notifications/disconnected there, a later request on that client\'s RPC topic is not answered.',
      requirement: 'MUST',
      section: '§8.19, §2, §5.7',
      specUrl: `${TRANSPORT}#mcp-server-subscriptions`,
    },
    {
      id: 'teardown.will',
      title: 'The will clears presence',
      rule: 'The will is an empty, retained message on the presence topic: when the device drops off, its retained presence disappears.',
      requirement: 'MUST',
      section: '§8.5, §5.7',
      specUrl: `${TRANSPORT}#server-disconnect`,
    },
    {
      id: 'teardown.session-expiry',
      title: 'Session ends with the connection',
      rule: 'The server connects with Session Expiry Interval 0, so the broker keeps no session after the connection ends.',
      requirement: 'MUST',
      section: '§8.4, §3',
      specUrl: `${TRANSPORT}#session-expiry-interval`,
    },
  ],
  latency: [
    {
      id: 'latency.ping-rtt',
      title: 'Ping round trip',
      rule: 'Median ping round trip over several pings. Values near 40 or 80 ms are the signature of Nagle\'s algorithm meeting delayed ACKs on the device\'s or the broker\'s socket.',
      requirement: 'advice',
      section: '§5.5',
      specUrl: `${TRANSPORT}#health-checks`,
    },
  ],
};

export const GROUP_TITLES: Record<CheckGroup, string> = {
  connection: 'Connection (packet mode)',
  presence: 'Presence and discovery',
  initialize: 'Initialization',
  operation: 'Operation',
  traffic: 'Topics and properties',
  instances: 'Multiple instances',
  teardown: 'Teardown',
  latency: 'Latency',
};

export const CHECKS: readonly CheckDefinition[] = (Object.keys(groups) as CheckGroup[]).flatMap((group) =>
  groups[group].map((entry) => ({ ...entry, group })),
);

const byId = new Map(CHECKS.map((c) => [c.id, c]));

export function checkDefinition(id: string): CheckDefinition {
  const def = byId.get(id);
  if (!def) throw new Error(`unknown conformance check "${id}"`);
  return def;
}
