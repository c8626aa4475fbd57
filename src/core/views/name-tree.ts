// Server-names are hierarchical (`3D-Printer/ACH301/EECF7892AB1`): views group them into folders by their
// levels. Built lazily, one folder at a time, from the registry's sorted names: the names under a folder
// are one contiguous range, so listing a folder costs its own children, never the whole fleet. Chains of
// single-child folders are joined (`3D-Printer/ACH301`) so deep names do not make deep, empty-looking trees.
// Pure, so it is tested and benchmarked without an editor.
import { prefixRange } from '../util/sorted.js';

/** A folder is named by its prefix: '' for the root, else its path followed by '/'. */
export interface ChildFolder {
  prefix: string;
  /** What the folder shows: its levels below the parent, joined. */
  label: string;
}

export interface FolderListing {
  prefix: string;
  /** Child folders, in display order. */
  folders: ChildFolder[];
  /** Server-names that end directly in this folder, in display order. */
  servers: string[];
}

// Numeric, so sensor-2 comes before sensor-10; ties (names equal but for case or accents) in code-unit order.
const collator = new Intl.Collator('en', { numeric: true });
const display = (a: string, b: string): number => collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

export class NameTree {
  private readonly listings: Map<string, FolderListing>;

  /** `names` sorted in code-unit order (the registry's sortedNames()). */
  constructor(
    readonly names: readonly string[],
    carried?: Map<string, FolderListing>,
  ) {
    this.listings = carried ?? new Map();
  }

  /** How many names a folder holds, at every depth. */
  count(prefix: string): number {
    const [start, end] = prefixRange(this.names, prefix);
    return end - start;
  }

  /** A folder's children, sorted once and kept until the names under the folder change. */
  listing(prefix: string): FolderListing {
    let listing = this.listings.get(prefix);
    if (!listing) this.listings.set(prefix, (listing = this.build(prefix)));
    return listing;
  }

  /** Puts back a listing found unchanged, so a folder keeps one listing object while its children stay. */
  keep(prefix: string, listing: FolderListing): void {
    this.listings.set(prefix, listing);
  }

  /** Folders listed so far (the ones a view has opened). */
  listedPrefixes(): string[] {
    return [...this.listings.keys()];
  }

  /**
   * The tree for a new set of names, keeping every listing no changed name falls under; `stale` are the
   * listed folders that must be listed again.
   */
  next(names: readonly string[], changed: Iterable<string>): { tree: NameTree; stale: string[] } {
    const changedNames = [...changed];
    const kept = new Map<string, FolderListing>();
    const stale: string[] = [];
    for (const [prefix, listing] of this.listings) {
      if (changedNames.some((n) => n.startsWith(prefix))) stale.push(prefix);
      else kept.set(prefix, listing);
    }
    return { tree: new NameTree(names, kept), stale };
  }

  /** The folders from the root down to the one a name ends in ('' first), or undefined when it is not here. */
  pathTo(name: string): string[] | undefined {
    const [start, end] = prefixRange(this.names, name);
    if (start === end || this.names[start] !== name) return undefined;
    const path = [''];
    let prefix = '';
    for (;;) {
      const slash = name.indexOf('/', prefix.length);
      if (slash < 0) return path;
      prefix = this.join(name.slice(0, slash + 1));
      path.push(prefix);
    }
  }

  private build(prefix: string): FolderListing {
    const names = this.names;
    const folders: ChildFolder[] = [];
    const servers: string[] = [];
    const [start, end] = prefixRange(names, prefix);
    for (let i = start; i < end; ) {
      const name = names[i] as string;
      const slash = name.indexOf('/', prefix.length);
      if (slash < 0) {
        servers.push(name);
        i++;
        continue;
      }
      const child = name.slice(0, slash + 1);
      const joined = this.join(child);
      folders.push({ prefix: joined, label: joined.slice(prefix.length, -1) });
      // Skip the whole child folder: its names are contiguous.
      i = prefixRange(names, child, i)[1];
    }
    folders.sort((a, b) => display(a.label, b.label));
    servers.sort(display);
    return { prefix, folders, servers };
  }

  /** Extends a folder prefix while the folder holds no server and a single child folder. */
  private join(prefix: string): string {
    const names = this.names;
    for (;;) {
      const [start, end] = prefixRange(names, prefix);
      const first = names[start] as string;
      const slash = first.indexOf('/', prefix.length);
      if (slash < 0) return prefix;
      const child = first.slice(0, slash + 1);
      // Sorted: when the last name also lies under the first's child folder, every name between does.
      if (!(names[end - 1] as string).startsWith(child)) return prefix;
      prefix = child;
    }
  }
}

/** The folder's path as shown in tooltips: its prefix without the trailing '/'. */
export function folderPath(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/** The last level of a server-name: what a tree row shows under its folder. */
export function shortName(serverName: string, folderPrefix: string): string {
  return folderPrefix && serverName.startsWith(folderPrefix) ? serverName.slice(folderPrefix.length) : serverName;
}
