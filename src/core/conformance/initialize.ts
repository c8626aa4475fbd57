// Initialization checks (spec §8 items 11, 12, 14): the handshake on the control topic, where and what the
// answer is, whether the server was subscribed before it replied, and protocol-version negotiation.
import { InitializeResultSchema, LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { DISCONNECTED_METHOD, isObject } from '../protocol/presence.js';
import { TOPIC_ROOT, topics } from '../protocol/topics.js';
import { type CheckContext, type SessionUnderTest, describeAnswer, ms, preview, seconds } from './context.js';
import { ClientProbe, isResponseTo, type Observation, type SentRequest } from './probe.js';
import { schemaProblems } from './schemas.js';

/** The MCP revision the transport spec builds on; older answers are the TS SDK's fixed 2024-11-05. */
const TRANSPORT_BASE_VERSION = '2025-03-26';
/** A version no server supports, for the negotiation check. */
export const UNSUPPORTED_VERSION = '1999-01-01';

const CLIENT_INFO = { name: 'mqtt-mcp-check', version: '0.1.0' };

export async function checkInitialize(ctx: CheckContext, serverId: string): Promise<SessionUnderTest | undefined> {
  const { serverName, timeouts } = ctx;
  const probe = ctx.adopt(new ClientProbe(ctx.options.broker, ctx.options.events));
  await probe.open();
  const controlTopic = topics.serverControl(serverId, serverName);
  const capabilityTopic = topics.serverCapability(serverId, serverName);
  const specRpcTopic = topics.rpc(probe.clientId, serverId, serverName);
  const legacyRpcTopic = topics.legacyRpc(probe.clientId, serverName);
  // Everything the device could answer on, so a misplaced answer is seen rather than lost. No Local keeps
  // the probe's own publishes out; subscriptions must not overlap, or brokers deliver twice.
  await probe.listen(`${TOPIC_ROOT.rpc}/${probe.clientId}/#`, true);
  await probe.listen(`${TOPIC_ROOT.legacyRpc}/${probe.clientId}/#`, true);
  await probe.listen(controlTopic, true);
  await probe.listen(capabilityTopic);
  await probe.listen(`${TOPIC_ROOT.server}/capability/list-changed/#`);
  await probe.listen(`${TOPIC_ROOT.server}/capability/resource-updated/#`);

  const initialize = probe.request(controlTopic, serverId, 'initialize', {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: CLIENT_INFO,
  });
  // Spec §5.3: the server subscribes before it replies, so a client may talk the moment the answer arrives.
  // One request per method the server may answer: a server without ping must not look unsubscribed.
  const followUps: SentRequest[] = [];
  probe.onAnswer(initialize, (o) => {
    const rpcTopic = o.topic === legacyRpcTopic ? legacyRpcTopic : specRpcTopic;
    probe.send(rpcTopic, { method: 'notifications/initialized' }).catch(() => undefined);
    const result = isObject(o.json?.result) ? o.json.result : {};
    for (const method of probeMethods(isObject(result.capabilities) ? result.capabilities : {}).slice(0, 2)) followUps.push(probe.request(rpcTopic, serverId, method));
  });
  const answer = await probe.answer(initialize, timeouts.initializeMs);

  const expectedAnswer = `a response with id ${initialize.id} within ${seconds(timeouts.initializeMs)}`;
  if (!answer) {
    ctx.record('initialize.answered', 'fail', expectedAnswer, `no response within ${seconds(timeouts.initializeMs)}${unansweredHint(probe.observations)}`);
    return undefined;
  }
  if ('error' in answer.message) {
    ctx.record('initialize.answered', 'fail', expectedAnswer, `answered with ${describeAnswer(answer.message)} after ${ms(answer.elapsedMs)}`);
    return undefined;
  }
  ctx.record('initialize.answered', 'pass', expectedAnswer, `answered after ${ms(answer.elapsedMs)}`, { elapsedMs: answer.elapsedMs });

  const legacy = answer.observation.topic === legacyRpcTopic;
  const expectedTopic = specRpcTopic;
  if (answer.observation.topic === specRpcTopic) ctx.record('initialize.answer-topic', 'pass', expectedTopic, 'answered on the RPC topic');
  else if (legacy) ctx.skip('initialize.answer-topic', `answered on the legacy RPC topic ${legacyRpcTopic}: reported by traffic.legacy-topics`);
  else if (answer.observation.topic === controlTopic)
    ctx.record('initialize.answer-topic', 'fail', expectedTopic, `answered on the control topic ${controlTopic}: spec clients listen on the RPC topic and never see it`);
  else ctx.record('initialize.answer-topic', 'fail', expectedTopic, `answered on ${answer.observation.topic}`);

  const result = answer.message.result;
  const problems = schemaProblems(InitializeResultSchema, result);
  const expectedResult = 'InitializeResult: protocolVersion, capabilities, serverInfo';
  if (problems) ctx.record('initialize.result', 'fail', expectedResult, `${problems}: ${preview(result)}`);
  else ctx.record('initialize.result', 'pass', expectedResult, `serverInfo ${preview((result as { serverInfo: unknown }).serverInfo, 80)}`);

  checkNegotiatedVersion(ctx, isObject(result) ? result.protocolVersion : undefined);

  const rpcTopic = legacy ? legacyRpcTopic : specRpcTopic;
  // Give the follow-ups their chance before anything else is sent: a server that subscribes late must lose
  // only them, not the next check's request too (subscriptions.ts judges them once more is known).
  const followUpIds = new Set(followUps.map((r) => r.id));
  await probe.waitFor((o) => followUpIds.has(o.json?.id as number) && isResponseTo(o, o.json?.id as number), timeouts.pingMs);
  const capabilities = isObject(result) && isObject(result.capabilities) ? result.capabilities : {};
  return { probe, serverId, controlTopic, capabilityTopic, rpcTopic, specRpcTopic, legacy, initialize: answer, capabilities, followUps, probeMethod: undefined };
}

/** Requests a probe may use to see whether the server listens: ping, then the lists it advertises. */
export function probeMethods(capabilities: Record<string, unknown>): string[] {
  return ['ping', ...(['tools', 'resources', 'prompts'] as const).filter((c) => isObject(capabilities[c])).map((c) => `${c}/list`)];
}

function checkNegotiatedVersion(ctx: CheckContext, version: unknown): void {
  const expected = `"${LATEST_PROTOCOL_VERSION}" (requested) or another MCP version the server supports`;
  if (typeof version !== 'string' || !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
    ctx.record('initialize.protocol-version', 'fail', expected, `protocolVersion ${preview(version, 40)} is not an MCP version: SDK clients disconnect`);
  } else if (version < TRANSPORT_BASE_VERSION) {
    ctx.record('initialize.protocol-version', 'warn', expected,
      `"${version}" predates MCP ${TRANSPORT_BASE_VERSION}, which the transport builds on; clients accept it, but newer features are unavailable`, { version });
  } else {
    ctx.record('initialize.protocol-version', 'pass', expected, `"${version}"`, { version });
  }
}

/** A second client asks for a version nobody supports (spec §8.14). */
export async function checkVersionNegotiation(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const probe = ctx.adopt(new ClientProbe(ctx.options.broker, ctx.options.events));
  await probe.open();
  const rpcTopic = session.legacy ? topics.legacyRpc(probe.clientId, ctx.serverName) : topics.rpc(probe.clientId, session.serverId, ctx.serverName);
  await probe.listen(`${session.legacy ? TOPIC_ROOT.legacyRpc : TOPIC_ROOT.rpc}/${probe.clientId}/#`, true);
  await probe.listen(session.controlTopic, true);
  const { answer } = await probe.call(session.controlTopic, session.serverId, 'initialize', {
    protocolVersion: UNSUPPORTED_VERSION,
    capabilities: {},
    clientInfo: CLIENT_INFO,
  }, ctx.timeouts.initializeMs);
  const expected = `for protocolVersion "${UNSUPPORTED_VERSION}": a version the server supports, or error -32602`;
  if (!answer) {
    ctx.record('initialize.version-negotiation', 'fail', expected, `no response within ${seconds(ctx.timeouts.initializeMs)}`);
    return;
  }
  const { message } = answer;
  if ('error' in message) {
    const code = isObject(message.error) ? message.error.code : undefined;
    if (code === -32602) ctx.record('initialize.version-negotiation', 'pass', expected, describeAnswer(message));
    else ctx.record('initialize.version-negotiation', 'warn', expected, `rejected with ${describeAnswer(message)} instead of -32602`);
    return;
  }
  const version = isObject(message.result) ? message.result.protocolVersion : undefined;
  await probe.send(rpcTopic, { method: DISCONNECTED_METHOD }).catch(() => undefined);
  if (version === UNSUPPORTED_VERSION)
    ctx.record('initialize.version-negotiation', 'fail', expected, `accepted "${UNSUPPORTED_VERSION}": the server claims a version it cannot speak`);
  else if (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version))
    ctx.record('initialize.version-negotiation', 'pass', expected, `offered "${version}"`);
  else ctx.record('initialize.version-negotiation', 'fail', expected, `offered ${preview(version, 40)}, which is not an MCP version`);
}

/** Why an initialize may have gone unanswered, from what did arrive. */
function unansweredHint(observations: Observation[]): string {
  const stray = observations.find((o) => o.json && !('method' in o.json));
  if (stray) return `; a response with another id arrived on ${stray.topic}: ${preview(stray.payload, 80)}`;
  return '; is the server-id right, and does the device read MCP-MQTT-CLIENT-ID from the request?';
}
