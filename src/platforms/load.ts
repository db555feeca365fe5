import { parseDocument, readDocumentFile } from '../config/document.js';
import type { ConfigIssue, IssueCollector } from '../config/issues.js';
import type { DocumentSource } from '../config/source.js';
import { topologyJsonSchema, topologySchema, type Topology } from '../topology/schema.js';
import { checkNetwork } from './checks.js';
import type { ResolvedNetwork } from './registry.js';

export interface LoadedTopology {
  topology: Topology;
  source: DocumentSource;
  /** Problems that do not stop the topology from running (with keepCheckErrors, the errors too). */
  warnings: ConfigIssue[];
  /** Every site's model, resolved once by the checks: `up` runs the same. */
  network: ResolvedNetwork;
}


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
  let network: ResolvedNetwork | undefined;
  const document = {
    schema: topologySchema,
    jsonSchema: topologyJsonSchema,
    codePrefix: 'TOPO',
    check: (topology: Topology, issues: IssueCollector) => { network = checkNetwork(topology, issues); },
  };
  const { data, source, warnings } = parseDocument(text, file, document, options);
  return { topology: data, source, warnings, network: network! };
}
