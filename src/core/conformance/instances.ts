// Multi-instance check (spec §8 item 23, §5.8): every other online instance of the name is initialized and
// pinged by the same client; each answer must come once, on the RPC topic carrying the addressed server-id.
import { DISCONNECTED_METHOD } from '../protocol/presence.js';
import { parseTopic, topics } from '../protocol/topics.js';
import type { CheckContext, SessionUnderTest } from './context.js';
import { delay, type SentRequest } from './probe.js';

/** Enough to show isolation; a fleet of hundreds need not be initialized one by one. */
const MAX_OTHER_INSTANCES = 4;

export async function checkInstances(ctx: CheckContext, session: SessionUnderTest): Promise<void> {
  const others = [...ctx.instances.keys()].filter((id) => id !== session.serverId).slice(0, MAX_OTHER_INSTANCES);
  if (others.length === 0) return ctx.skip('instances.isolation', 'only one instance is online');
  const { probe } = session;
  const expected = 'each instance answers once, on $mcp-rpc/{client}/{its own server-id}/{server-name}';
  const sent: SentRequest[] = [];
  const problems: string[] = [];
  for (const serverId of others) {
    const initialize = probe.request(topics.serverControl(serverId, ctx.serverName), serverId, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'mqtt-mcp-check', version: '0.1.0' },
    });
    sent.push(initialize);
    const answer = await probe.answer(initialize, ctx.timeouts.initializeMs);
    if (!answer) {
      problems.push(`instance ${serverId} did not answer initialize`);
      continue;
    }
    const rpcTopic = topics.rpc(probe.clientId, serverId, ctx.serverName);
    await probe.send(rpcTopic, { method: 'notifications/initialized' });
    // Instances of one name run the same firmware: what the tested one answers, they answer.
    const method = session.probeMethod ?? 'ping';
    const request = probe.request(rpcTopic, serverId, method);
    sent.push(request);
    if (!(await probe.answer(request, method === 'ping' ? ctx.timeouts.pingMs : ctx.timeouts.listMs))) problems.push(`instance ${serverId} did not answer ${method} on ${rpcTopic}`);
  }
  // Answers from the wrong instance may trail the right one.
  await delay(Math.min(ctx.timeouts.silenceMs, 1000));
  for (const request of sent) {
    const answers = probe.answersTo(request.id);
    const strangers = answers.filter((a) => parseTopic(a.topic)?.kind !== 'rpc' || (parseTopic(a.topic) as { serverId: string }).serverId !== request.serverId);
    for (const a of strangers) problems.push(`${request.method} to ${request.serverId} answered on ${a.topic}`);
    if (answers.length > 1) problems.push(`${request.method} to ${request.serverId} answered ${answers.length} times`);
  }
  for (const serverId of others) await probe.send(topics.rpc(probe.clientId, serverId, ctx.serverName), { method: DISCONNECTED_METHOD }).catch(() => undefined);
  const all = [session.serverId, ...others].join(', ');
  if (problems.length) ctx.record('instances.isolation', 'fail', expected, problems.slice(0, 4).join('; '));
  else ctx.record('instances.isolation', 'pass', expected, `${others.length + 1} instances (${all}), each with its own presence, each answering on its own topic`);
}
