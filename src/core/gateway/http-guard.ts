// The checks every gateway request passes before it reaches an MCP session: loopback Host and Origin (a web
// page cannot use DNS rebinding to reach the port) and the per-start bearer token (other local programs
// and users cannot call the devices).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Refusal {
  status: 400 | 401 | 403 | 404;
  message: string;
  headers?: Record<string, string>;
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

let hostsFor: { port: number; hosts: string[] } | undefined;

/** The Host values this port accepts, built once per port rather than on every request. */
function allowedHostsFor(port: number): string[] {
  if (hostsFor?.port !== port) hostsFor = { port, hosts: LOOPBACK_HOSTS.map((h) => `${h}:${port}`) };
  return hostsFor.hosts;
}

export function checkRequest(req: IncomingMessage, port: number, token: string): Refusal | undefined {
  const allowedHosts = allowedHostsFor(port);
  const host = req.headers.host?.toLowerCase();
  if (!host || !allowedHosts.includes(host)) return { status: 403, message: `Host header ${JSON.stringify(req.headers.host ?? '')} is not this gateway (expected 127.0.0.1:${port})` };
  const origin = req.headers.origin?.toLowerCase();
  // Non-browser clients send no Origin; a browser page on any other origin must not get in.
  if (origin !== undefined && !allowedHosts.some((h) => origin === `http://${h}`)) return { status: 403, message: `Origin ${JSON.stringify(req.headers.origin)} is not allowed` };
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!presented || !sameSecret(presented, token)) {
    return {
      status: 401,
      message: presented ? 'wrong bearer token' : 'missing "Authorization: Bearer <token>" header (the token is printed when the gateway starts)',
      headers: { 'WWW-Authenticate': 'Bearer realm="mqtt-mcp-gateway"' },
    };
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A JSON-RPC error body (id null: it answers the HTTP request, not a particular message). */
export function refuse(res: ServerResponse, refusal: Refusal, code = -32000): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message: refusal.message }, id: null });
  res.writeHead(refusal.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...refusal.headers });
  res.end(body);
}
