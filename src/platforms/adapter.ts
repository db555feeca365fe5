import type { DocPath } from '../config/source.js';
import type { SiteLayout } from '../topology/layout.js';
import type { Site, SiteOf } from '../topology/schema.js';
import type { SiteExporter } from './artifacts.js';
import type { SourceReader } from './imports.js';
import type { Pairing } from './pairing.js';
import type { PlanContext, SitePlan } from './plan.js';
import type { PlatformView, RunningSite } from './view.js';

/*
 * One descriptor per platform, its hooks in one place (BIRD's `struct protocol`): what a site of
 * that platform adds to the network (node names), the platform's own rules on its resources, and
 * the plan the emulator runs. The plan never throws: whatever the platform (or vpnlab) cannot
 * build is a finding with a code, the path of the field, what happens and how to fix it — the
 * same findings `vpnlab check` prints, so check and up never disagree. `exporter` writes the
 * files that build the site on the platform; running one site on real sockets is a hook to come.
 */

export type PlatformName = Site['platform'];

/** Where the platform rules report; one issue per code and path. */
export interface Findings {
  error(code: string, path: DocPath, message: string, fix?: string): void;
  warning(code: string, path: DocPath, message: string, fix?: string): void;
}

/** A site as its adapter sees it: the site, its index in the file and the path of its platform block. */
export interface SiteRef<P extends PlatformName> {
  readonly site: SiteOf<P>;
  readonly index: number;
  /** `['sites', index, <platform>]`: where the platform's own fields start. */
  readonly at: DocPath;
  /** The site's subnets, hosts and routers, parsed once (src/topology/layout.ts). */
  readonly layout: SiteLayout;
}

/** A site with the model its adapter resolved for the run (`resolve`), which every later hook reads. */
export interface ModelRef<P extends PlatformName, M> extends SiteRef<P> {
  readonly model: M;
}

/** What `check` gives a platform's own rules besides its site: every tunnel end of the topology, paired. */
export interface CheckContext extends PlanContext {
  readonly pairing: Pairing;
}

/** What the pair checks (cross-checks.ts, cross-bgp.ts) ask of a platform about its own side. */
export interface PairingRules {
  /** Why the platform would refuse `key` as a pre-shared key, if it would. */
  keyProblem?(key: string): string | undefined;
  /** How to give this platform's gateway a tunnel towards `address`. */
  answerFix(address: string): string;
  /** How to add a tunnel of a redundant connection towards `address` (Alibaba: a customer gateway). */
  addTunnelFix?(address: string): string;
}

export interface PlatformAdapter<P extends PlatformName, M = unknown> {
  readonly platform: P;
  /** The platform's name in messages: "Azure", "Alibaba Cloud", "RRAS". */
  readonly title: string;
  /**
   * The node names the platform block adds to its site, without building anything: what faults
   * and commands may name (an RRAS server, each Azure gateway instance, the cloud fabric).
   */
  nodeNames(site: SiteOf<P>): string[];
  /**
   * The gateway instances, tunnels, BGP speakers and fabric of the site; undefined when the site
   * runs no platform gateway. Never throws: a resource that cannot be built is reported and left
   * out.
   */
  /**
   * The site's resources resolved once per run, before any other hook: references between them
   * followed, addresses and prefixes parsed, each with its document path. Never throws, never
   * reports: a reference that resolves to nothing is left unresolved for `check` and `plan` to
   * report. It reads only its own site (other sites' models are there later: `modelOf`).
   */
  resolve(ref: SiteRef<P>): M;
  plan(ref: ModelRef<P, M>, context: PlanContext, findings: Findings): SitePlan | undefined;
  /**
   * The platform's own rules on the site's resources, beyond what the plan refuses: what the
   * platform would reject, and what it accepts but fails at run time (`vpnlab check`).
   */
  check(ref: ModelRef<P, M>, context: CheckContext, findings: Findings): void;
  readonly pairing: PairingRules;
  /**
   * What the platform shows of the site while it runs (`vpnlab up`), as data in its own names:
   * cmdlet tables, console tables, properties. Empty for a site without platform gateways.
   */
  views(ref: ModelRef<P, M>, running: RunningSite): PlatformView[];
  /** The files the platform needs to build the site (`vpnlab export`); none for a platform without. */
  readonly exporter?: SiteExporter<P, M>;
  /** The source formats `vpnlab import` reads into sites of this platform (imports.ts). */
  readonly readers?: readonly SourceReader[];
}

/** A finding sink that keeps nothing: for runs whose findings `check` has already reported. */
export const IGNORE_FINDINGS: Findings = { error: () => {}, warning: () => {} };
