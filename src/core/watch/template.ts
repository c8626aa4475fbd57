// Resource templates (RFC 6570, as MCP uses them) for "watch a template": which parameters to ask for and
// the URI they expand to, with the SDK's own template implementation.
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';

export function templateVariables(uriTemplate: string): string[] {
  return [...new Set(new UriTemplate(uriTemplate).variableNames)];
}

export function expandTemplate(uriTemplate: string, values: Record<string, string>): string {
  return new UriTemplate(uriTemplate).expand(values);
}
