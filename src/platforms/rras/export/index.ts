import type { SiteExporter } from '../../artifacts.js';
import type { RrasModel } from '../model.js';
import { linuxEquivalentArtifacts } from './linux-equivalent.js';
import { powershellArtifact } from './powershell.js';

/*
 * The `exporter` hook of the RRAS adapter: `<site>/<server>.ps1`, the PowerShell that builds the
 * site's RRAS server (S2S interfaces, IPsec policy, router.pbk, BGP, static routes), and the same
 * design for a strongSwan + FRR box in the server's place, `<site>/linux/<server>/` swanctl.conf,
 * frr.conf and ip.sh (linux-equivalent.ts).
 */
export const rrasExporter: SiteExporter<'rras', RrasModel | undefined> = {
  formats: ['powershell', 'swanctl', 'frr', 'ip'],
  defaults: ['powershell', 'swanctl', 'frr', 'ip'],
  readBack: [['powershell']],
  export(ref, context) {
    const artifact = context.formats.has('powershell') ? powershellArtifact(ref, context) : undefined;
    return [...(artifact === undefined ? [] : [artifact]), ...linuxEquivalentArtifacts(ref, context)];
  },
};
