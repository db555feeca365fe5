import { parseDocument, readDocumentFile } from '../config/document.js';
import type { ConfigIssue, IssueCollector } from '../config/issues.js';
import type { DocumentSource } from '../config/source.js';
import { topologyJsonSchema, topologySchema, type Topology } from '../topology/schema.js';
import { checkNetwork } from './checks.js';

export interface LoadedTopology {
  topology: Topology;
  source: DocumentSource;
  /** Problems that do not stop the topology from running (with keepCheckErrors, the errors too). */
  warnings: ConfigIssue[];
}

const TOPOLOGY_DOCUMENT = {
  schema: topologySchema,
  jsonSchema: topologyJsonSchema,
  codePrefix: 'TOPO',
  check: (topology: Topology, issues: IssueCollector) => checkNetwork(topology, issues),
};

export interface LoadOptions {
  /** Return the checks' errors with the warnings instead of refusing the file (`--force`). */
  keepCheckErrors?: boolean;
}

export function loadTopologyFile(file: string, options: LoadOptions = {}): LoadedTopology {
  return parseTopology(readDocumentFile(file, 'TOPO'), file, options);
}

/**
 * Parses and checks a topology: YAML syntax, then the schema, then the cross-resource checks
 * (names resolve, addresses fit, nothing overlaps). Throws ConfigError with every error found.
 */
export function parseTopology(text: string, file = '<input>', options: LoadOptions = {}): LoadedTopology {
  const { data, source, warnings } = parseDocument(text, file, TOPOLOGY_DOCUMENT, options);
  return { topology: data, source, warnings };
}
