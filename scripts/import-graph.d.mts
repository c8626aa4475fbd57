// Types of import-graph.mjs for the unit test that runs it.
export interface FileImports {
  local: string[];
  packages: string[];
}
export const root: string;
export function importGraph(dirs?: string[]): Map<string, FileImports>;
export function findCycles(graph: Map<string, FileImports>): string[][];
export function layerViolations(graph: Map<string, FileImports>): string[];
