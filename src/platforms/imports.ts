import type { PlatformName } from './adapter.js';

/*
 * What `vpnlab import` reads: files that already build a network (an ARM template, Terraform, an
 * RRAS PowerShell script, swanctl.conf and frr.conf) turned back into one topology. Each platform
 * adapter offers `readers`, one per source format; a reader fills sites of a draft topology in the
 * topology file's own shape and notes, for each field, the source line it came from, which the
 * written file carries as a comment. Several sources combine into one draft (an Azure template
 * plus an RRAS script is the first seed); src/platforms/import.ts runs them and writes the file.
 */

export interface ImportSource {
  /** As the user named it; what the comments and errors cite. */
  readonly path: string;
  readonly text: string;
  /**
   * The site the source builds, when something outside it says: set for the files of a folder
   * written by `vpnlab export` (its manifest names each file's site), which a reader may take as
   * complete (the RRAS reader then assumes no static route and names the server after the file).
   */
  readonly site?: string;
}

/** A place in a source file, 1-based. */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The `readers` hook of a platform adapter: one source format. */
export interface SourceReader {
  /** The format's name in messages and `--from`: arm, terraform, powershell, swanctl, frr. */
  readonly format: string;
  /** Whether the file is this format, by its name and a look at its text. */
  accepts(source: ImportSource): boolean;
  /** Adds what the source describes to the draft; what it cannot read is a problem at its line. */
  read(source: ImportSource, draft: TopologyDraft): Promise<void> | void;
}

export interface TopologyDraft {
  /** The site of that platform and name, created empty on first use. */
  site(platform: PlatformName, name: string, origin: Origin): DraftSite;
  /** The sites read so far, in the order they were created. */
  readonly sites: readonly DraftSite[];
  /** Something the source says that cannot be imported: an error at its line, with how to fix it. */
  problem(origin: Origin, code: string, message: string, fix?: string): void;
  /** Something imported by assumption (a default filled in, a value approximated): a warning. */
  note(origin: Origin, code: string, message: string): void;
  /**
   * Runs `fill` once every source has been read: for what one source leaves to another (an RRAS
   * server's public address, which the Azure side's local network gateway holds).
   */
  afterAll(fill: () => void): void;
}

export interface DraftSite {
  readonly name: string;
  readonly platform: PlatformName;
  /**
   * The site as the topology file writes it (`addressSpace`, `subnets`, `hosts`, and the platform
   * block under the platform's key), filled by the readers.
   */
  readonly data: Record<string, unknown>;
  /** Where the field at `path` (from the site) came from: written as a comment beside it. */
  from(path: readonly (string | number)[], origin: Origin): void;
  /**
   * The field at `path` was filled by assumption (the sources do not say it, the topology needs
   * it): a note, and the comment "assumed: <why>" beside it.
   */
  assumed(path: readonly (string | number)[], origin: Origin, why: string): void;
}
