import type { SourceReader } from '../../imports.js';

/*
 * The Azure CLI script vpnlab exports (azure-cli.sh) is export-only: vpnlab does not read shell.
 * An export folder holds it beside the ARM template (or main.tf) that builds the same resources,
 * so when another source gave the site its azure block the script is passed over with a note;
 * alone it is a problem that names what to import instead.
 */
export const azureCliReader: SourceReader = {
  format: 'azure-cli (export-only)',
  accepts: (source) => /\.sh$/i.test(source.path) && /^\s*az network /m.test(source.text),
  read(source, draft) {
    const origin = { file: source.path, line: 1, column: 1 };
    draft.afterAll(() => {
      const site = draft.sites.find((s) => s.platform === 'azure' && (source.site === undefined || s.name === source.site));
      const azure = site?.data['azure'] as Record<string, unknown[] | undefined> | undefined;
      const read = azure !== undefined && ['virtualNetworkGateways', 'localNetworkGateways', 'connections'].some((k) => (azure[k]?.length ?? 0) > 0);
      if (read) draft.note(origin, 'IMPORT_AZURE_CLI_SKIPPED', `an Azure CLI script is not read: site ${site!.name} is read from its ARM template or Terraform, which build the same resources`);
      else draft.problem(origin, 'IMPORT_AZURE_CLI_EXPORT_ONLY', 'vpnlab does not read Azure CLI scripts (az commands are export-only)', 'import the site\'s ARM template (azuredeploy.json with its parameters file) or main.tf: vpnlab export --format arm,terraform writes them');
    });
  },
};
