import type { SiteExporter } from '../../artifacts.js';
import type { AzureModel } from '../model.js';
import { armArtifacts } from './arm.js';
import { azureCliArtifacts } from './cli.js';
import { terraformArtifacts } from './terraform.js';

/*
 * The `exporter` hook of the Azure adapter: an ARM template and its parameters file (the
 * default), an Azure CLI script, and Terraform (azurerm) as a second choice.
 */
export const azureExporter: SiteExporter<'azure', AzureModel> = {
  formats: ['arm', 'azure-cli', 'terraform'],
  defaults: ['arm', 'azure-cli'],
  readBack: [['arm'], ['terraform']],
  export(ref, context) {
    return [
      ...(context.formats.has('arm') ? armArtifacts(ref, context) : []),
      ...(context.formats.has('azure-cli') ? azureCliArtifacts(ref, context) : []),
      ...(context.formats.has('terraform') ? terraformArtifacts(ref, context) : []),
    ];
  },
};
