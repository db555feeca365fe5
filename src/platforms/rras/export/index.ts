import type { SiteExporter } from '../../artifacts.js';
import type { RrasModel } from '../model.js';
import { powershellArtifact } from './powershell.js';

/*
 * The `exporter` hook of the RRAS adapter: `<site>/<server>.ps1`, the PowerShell that builds the
 * site's RRAS server (S2S interfaces, IPsec policy, router.pbk, BGP, static routes).
 */
export const rrasExporter: SiteExporter<'rras', RrasModel | undefined> = {
  formats: ['powershell'],
  defaults: ['powershell'],
  export(ref, context) {
    const artifact = context.formats.has('powershell') ? powershellArtifact(ref, context) : undefined;
    return artifact === undefined ? [] : [artifact];
  },
};
