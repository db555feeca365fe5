import type { Artifact, SiteExporter } from '../../artifacts.js';
import type { LinuxModel } from '../model.js';
import { frrArtifact } from './frr.js';
import { ipArtifact } from './ip.js';
import { swanctlArtifact } from './swanctl.js';

/*
 * The `exporter` hook of the Linux adapter: for every gateway of the `linux:` block, the three
 * files an engineer puts on the box — `<site>/<gateway>/swanctl.conf` (strongSwan),
 * `<site>/<gateway>/frr.conf` (FRR bgpd) and `<site>/<gateway>/ip.sh` (iproute2: XFRM
 * interfaces, addresses, routes, MSS clamping, sysctls). A gateway without a `swanctl:` or
 * `frr:` block writes no file of that kind; a Linux site without gateways writes nothing.
 */
export const linuxExporter: SiteExporter<'linux', LinuxModel | undefined> = {
  formats: ['swanctl', 'frr', 'ip'],
  defaults: ['swanctl', 'frr', 'ip'],
  readBack: [['swanctl', 'frr', 'ip']],
  export(ref, context) {
    const out: Artifact[] = [];
    for (const gateway of ref.model?.gateways ?? []) {
      const swanctl = context.formats.has('swanctl') ? swanctlArtifact(ref, gateway, context) : undefined;
      const frr = context.formats.has('frr') ? frrArtifact(ref, gateway, context) : undefined;
      const ip = context.formats.has('ip') ? ipArtifact(ref, gateway, context) : undefined;
      for (const a of [swanctl, frr, ip]) if (a !== undefined) out.push(a);
    }
    return out;
  },
};
