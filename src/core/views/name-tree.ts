// Server-names are hierarchical (`3D-Printer/ACH301/EECF7892AB1`): views group them into folders by their
// levels. Chains of single-child folders are joined (`3D-Printer/ACH301`) so deep names do not make deep,
// empty-looking trees. Pure, so it is tested without an editor.

export interface NameFolder {
  /** Full path of the folder (levels joined by `/`); '' for the root. */
  path: string;
  /** What the folder shows: its levels below the parent, joined. */
  label: string;
  folders: NameFolder[];
  /** Server-names that end directly in this folder. */
  servers: string[];
}

interface Building {
  children: Map<string, Building>;
  servers: string[];
}

export function buildNameTree(names: Iterable<string>): NameFolder {
  const root: Building = { children: new Map(), servers: [] };
  for (const name of names) {
    const levels = name.split('/');
    levels.pop();
    let node = root;
    for (const level of levels) {
      let next = node.children.get(level);
      if (!next) node.children.set(level, (next = { children: new Map(), servers: [] }));
      node = next;
    }
    node.servers.push(name);
  }
  return finish(root, '', '');
}

function finish(node: Building, path: string, label: string): NameFolder {
  // Join a folder with its only child folder when it holds no servers itself.
  while (node.servers.length === 0 && node.children.size === 1 && path !== '') {
    const [level, child] = [...node.children.entries()][0] as [string, Building];
    path = `${path}/${level}`;
    label = `${label}/${level}`;
    node = child;
  }
  const folders = [...node.children.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([level, child]) => finish(child, path ? `${path}/${level}` : level, level));
  return { path, label, folders, servers: [...node.servers].sort((a, b) => a.localeCompare(b)) };
}

/** The folder at `path`, or undefined when the tree has no such folder. */
export function findFolder(tree: NameFolder, path: string): NameFolder | undefined {
  if (tree.path === path) return tree;
  for (const f of tree.folders) {
    if (path === f.path || path.startsWith(`${f.path}/`)) {
      const found = findFolder(f, path);
      if (found) return found;
    }
  }
  return undefined;
}

/** The last level of a server-name: what a tree row shows under its folder. */
export function shortName(serverName: string, folderPath: string): string {
  return folderPath && serverName.startsWith(`${folderPath}/`) ? serverName.slice(folderPath.length + 1) : serverName;
}
