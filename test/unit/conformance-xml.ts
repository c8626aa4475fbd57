// A small XML 1.0 well-formedness check for the conformance reports' JUnit output: tags nest, one root,
// attributes quoted, only the five predefined or numeric entities, no characters XML cannot carry.
const NAME = '[A-Za-z_:][A-Za-z0-9_.:-]*';
const ENTITY = /&(?:lt|gt|amp|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;
const ILLEGAL = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export function xmlProblems(text: string): string[] {
  const problems: string[] = [];
  if (ILLEGAL.test(text)) problems.push('contains characters XML 1.0 cannot carry');
  const body = text.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  let roots = 0;
  const tag = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*"[^"<]*")*)\\s*(/?)>`, 'y');
  let i = 0;
  while (i < body.length) {
    if (body[i] === '<') {
      tag.lastIndex = i;
      const m = tag.exec(body);
      if (!m) {
        problems.push(`malformed tag at ${i}: ${body.slice(i, i + 40)}`);
        break;
      }
      const [, closing, name, attributes = '', selfClosing] = m;
      checkEntities(attributes, problems);
      if (closing) {
        if (stack.pop() !== name) problems.push(`</${name}> does not close the open element`);
      } else {
        if (stack.length === 0) roots++;
        if (!selfClosing) stack.push(name as string);
      }
      i = tag.lastIndex;
    } else {
      const next = body.indexOf('<', i);
      const end = next === -1 ? body.length : next;
      const chunk = body.slice(i, end);
      if (stack.length === 0 && chunk.trim() !== '') problems.push('text outside the root element');
      checkEntities(chunk, problems);
      i = end;
    }
  }
  if (stack.length) problems.push(`unclosed elements: ${stack.join(', ')}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

function checkEntities(text: string, problems: string[]): void {
  for (let at = text.indexOf('&'); at !== -1; at = text.indexOf('&', at + 1)) {
    ENTITY.lastIndex = at;
    if (!ENTITY.test(text)) problems.push(`bare "&" in ${JSON.stringify(text.slice(at, at + 20))}`);
  }
}
