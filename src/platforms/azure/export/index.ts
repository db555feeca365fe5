import type { SiteExporter } from '../../artifacts.js';
import type { AzureModel } from '../model.js';
import { armArtifacts } from './arm.js';

/*
 * The `exporter` hook of the Azure adapter: an ARM template and its parameters file (the
 * default), an Azure CLI script, and Terraform (azurerm) as a second choice.
 */
export const azureExporter: SiteExporter<'azure', AzureModel> = {
  formats: ['arm'],
  defaults: ['arm'],
  export(ref, context) {
    return [
      ...(context.formats.has('arm') ? armArtifacts(ref, context) : []),
    ];
  },
};
