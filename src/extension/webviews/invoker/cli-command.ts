// "Copy as command": the same call as a `mqtt-mcp call` line a user can paste into a POSIX shell.
// Every argument is single-quoted, so device-chosen names and argument text cannot break out of it.

/** POSIX shell quoting: wrap in single quotes; a single quote becomes '\'' (close, escaped quote, reopen). */
export function shellQuote(text: string): string {
  if (/^[\w@%+=:,./-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

export interface CliCall {
  brokerUrl: string;
  username?: string;
  serverName: string;
  tool: string;
  args: Record<string, unknown>;
}

/** The password is never included: the CLI reads it from $MQTT_PASSWORD. */
export function cliCallCommand(call: CliCall): string {
  const parts = ['mqtt-mcp', 'call', '--broker', call.brokerUrl];
  if (call.username) parts.push('--username', call.username);
  parts.push('--server', call.serverName, '--tool', call.tool, '--args', JSON.stringify(call.args));
  return parts.map(shellQuote).join(' ');
}
