// Discovery checks (spec §8 items 3, 7-9): what a client that subscribes to presence now gets, and whether
// the online message is one it can use. Returns the server-id to test, or undefined when none can be found.
import { ONLINE_METHOD, isObject } from '../protocol/presence.js';
import { assertValidServerName, parseTopic, topics } from '../protocol/topics.js';
import { type CheckContext, preview, seconds } from './context.js';
import { ClientProbe, type Observation } from './probe.js';

/** Above this the online message is probably carrying what tools/list should deliver. */
export const PRESENCE_SIZE_LIMIT_BYTES = 4096;

export async function checkPresence(ctx: CheckContext): Promise<string | undefined> {
  const { serverName } = ctx;
  try {
    assertValidServerName(serverName);
  } catch (e) {
    ctx.record('presence.names', 'fail', 'a server-name usable in topics', (e as Error).message);
    return undefined;
  }

  // A fresh subscriber, exactly like a client that starts after the device: only retained messages arrive.
  const probe = ctx.adopt(new ClientProbe(ctx.options.broker, ctx.options.events));
  await probe.open();
  await probe.listen(topics.presenceFilter(serverName));
  await probe.sync();
  const collect = (o: Observation): void => {
    const parsed = parseTopic(o.topic);
    if (parsed?.kind !== 'server-presence' || parsed.serverName !== serverName) return;
    if (o.payload.length === 0) ctx.instances.delete(parsed.serverId);
    else if (!ctx.instances.get(parsed.serverId)?.retain) ctx.instances.set(parsed.serverId, o);
  };
  probe.observations.forEach(collect);
  const wanted = ctx.options.serverId;
  if (wanted === undefined ? ctx.instances.size === 0 : !ctx.instances.has(wanted)) {
    // Nothing retained: maybe the device publishes presence without RETAIN from time to time.
    await probe.waitFor((o) => {
      collect(o);
      return wanted === undefined ? ctx.instances.size > 0 : ctx.instances.has(wanted);
    }, ctx.timeouts.presenceMs);
  }
  const serverId = wanted ?? [...ctx.instances.keys()][0];
  const presence = serverId === undefined ? undefined : ctx.instances.get(serverId);
  ctx.presence = presence;

  const expectedRetained = 'a fresh subscriber to $mcp-server/presence/+/{server-name} receives the online message with RETAIN=1';
  if (presence?.retain) {
    ctx.record('presence.retained', 'pass', expectedRetained, `retained online message on ${presence.topic}`);
  } else if (presence) {
    ctx.record('presence.retained', 'fail', expectedRetained,
      `the online message arrived live without RETAIN on ${presence.topic}: a client that connects later does not discover the device`);
  } else {
    const others = [...ctx.instances.keys()];
    const what = wanted === undefined ? `no instance of "${serverName}"` : `no presence for instance "${wanted}"`;
    ctx.record('presence.retained', 'fail', expectedRetained,
      `${what}: nothing retained, and nothing published within ${seconds(ctx.timeouts.presenceMs)}${others.length ? ` (instances seen: ${others.join(', ')})` : ''}`);
  }

  checkNames(ctx, serverId);
  if (presence) checkPayload(ctx, presence);
  else for (const id of ['presence.well-formed', 'presence.server-name-field', 'presence.meta', 'presence.size']) ctx.skip(id, 'no presence message was received');
  return serverId;
}

function checkNames(ctx: CheckContext, serverId: string | undefined): void {
  const expected = 'server-name without "+"/"#", hierarchical with "/"; server-id without "/", "+", "#"';
  if (serverId !== undefined && /[/+#]/.test(serverId)) {
    ctx.record('presence.names', 'fail', expected, `server-id "${serverId}" contains "/", "+" or "#"`);
  } else if (!ctx.serverName.includes('/')) {
    ctx.record('presence.names', 'warn', expected, `server-name "${ctx.serverName}" is not hierarchical: clients cannot select it with wildcard filters such as type/#`);
  } else {
    ctx.record('presence.names', 'pass', expected, `server-name "${ctx.serverName}"${serverId ? `, server-id "${serverId}"` : ''}`);
  }
}

function checkPayload(ctx: CheckContext, presence: Observation): void {
  const message = presence.json;
  const expectedShape = `{"jsonrpc":"2.0","method":"${ONLINE_METHOD}","params":{"description": string, ...}} without an id`;
  if (!message || message.method !== ONLINE_METHOD) {
    ctx.record('presence.well-formed', 'fail', expectedShape,
      message ? `method is ${JSON.stringify(message.method)}: ${preview(presence.payload)}` : `payload is not a JSON object: ${preview(presence.payload)}`);
    for (const id of ['presence.server-name-field', 'presence.meta']) ctx.skip(id, 'the presence message is not an online notification');
    checkSize(ctx, presence);
    return;
  }
  const params = isObject(message.params) ? message.params : undefined;
  const problems: string[] = [];
  if (message.jsonrpc !== '2.0') problems.push('"jsonrpc": "2.0" is missing');
  if ('id' in message) problems.push(`it carries an id (${preview(message.id, 40)}), which makes it a request`);
  if (!params) problems.push('params is not an object');
  // Broken JSON-RPC fails; a missing description only costs the user a line of text.
  const noDescription = params !== undefined && typeof params.description !== 'string';
  if (problems.length) ctx.record('presence.well-formed', 'fail', expectedShape, [...problems, ...(noDescription ? ['params.description is not a string'] : [])].join('; '));
  else if (noDescription) ctx.record('presence.well-formed', 'warn', expectedShape, 'params.description is not a string: clients show no description (a SHOULD-level lapse)');
  else ctx.record('presence.well-formed', 'pass', expectedShape, `online notification, description "${preview(params?.description, 60)}"`);

  const expectedName = `params.server_name = "${ctx.serverName}" (the name in the topic)`;
  const name = params?.server_name;
  if (name === undefined) {
    ctx.record('presence.server-name-field', 'warn', expectedName, 'params.server_name is missing: clients must take the name from the topic');
  } else if (name !== ctx.serverName) {
    ctx.record('presence.server-name-field', 'fail', expectedName, `params.server_name is ${preview(name, 80)}, not the topic's name`);
  } else {
    ctx.record('presence.server-name-field', 'pass', expectedName, `params.server_name = "${name}"`);
  }

  checkMeta(ctx, params?.meta);
  checkSize(ctx, presence);
}

function checkMeta(ctx: CheckContext, meta: unknown): void {
  const expected = 'meta is an object; rbac.roles[] entries have name, description, allowed_methods[], allowed_tools and allowed_resources ("all" or an array)';
  if (meta === undefined) return ctx.record('presence.meta', 'pass', expected, 'no meta');
  if (!isObject(meta)) return ctx.record('presence.meta', 'warn', expected, `meta is ${preview(meta, 60)}, not an object`);
  const problems: string[] = [];
  if (isObject(meta.authorization) && meta.rbac === undefined) problems.push('roles are under meta.authorization (older EMQX gateway shape), not meta.rbac');
  if (meta.rbac !== undefined) {
    const roles = isObject(meta.rbac) ? meta.rbac.roles : undefined;
    if (!Array.isArray(roles)) problems.push('meta.rbac.roles is not an array');
    else roles.forEach((role, i) => problems.push(...roleProblems(role, i)));
  }
  if (problems.length) ctx.record('presence.meta', 'warn', expected, problems.join('; '));
  else ctx.record('presence.meta', 'pass', expected, meta.rbac === undefined ? `meta keys: ${Object.keys(meta).join(', ') || 'none'}` : 'meta and rbac roles have the defined shape');
}

function roleProblems(role: unknown, index: number): string[] {
  const at = `rbac.roles[${index}]`;
  if (!isObject(role)) return [`${at} is not an object`];
  const out: string[] = [];
  const allOrList = (v: unknown): boolean => v === 'all' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  if (typeof role.name !== 'string') out.push(`${at}.name is not a string`);
  if (typeof role.description !== 'string') out.push(`${at}.description is not a string`);
  if (!Array.isArray(role.allowed_methods) || !role.allowed_methods.every((m) => typeof m === 'string')) out.push(`${at}.allowed_methods is not an array of strings`);
  else if (!role.allowed_methods.includes('notifications/initialized'))
    out.push(`${at}.allowed_methods lacks "notifications/initialized", so an RBAC broker blocks the handshake`);
  if (!allOrList(role.allowed_tools)) out.push(`${at}.allowed_tools is neither "all" nor an array of names`);
  if (!allOrList(role.allowed_resources)) out.push(`${at}.allowed_resources is neither "all" nor an array of URIs`);
  return out;
}

function checkSize(ctx: CheckContext, presence: Observation): void {
  const expected = `under ${PRESENCE_SIZE_LIMIT_BYTES} bytes, no tool schemas (inputSchema)`;
  const bytes = presence.payload.length;
  const hasSchemas = presence.payload.includes('"inputSchema"');
  if (bytes > PRESENCE_SIZE_LIMIT_BYTES || hasSchemas) {
    const why = [bytes > PRESENCE_SIZE_LIMIT_BYTES ? `${bytes} bytes` : '', hasSchemas ? 'contains tool inputSchema' : ''].filter(Boolean).join(', ');
    ctx.record('presence.size', 'warn', expected, `${why}: every discovering client receives all of it; leave details to tools/list`, { bytes });
  } else {
    ctx.record('presence.size', 'pass', expected, `${bytes} bytes`, { bytes });
  }
}
