import type { ImportSource, SourceReader, TopologyDraft } from '../../imports.js';

/*
 * The aliyun CLI script vpnlab's export writes beside main.tf (src/platforms/alibaba/export/
 * aliyun-cli.ts) builds the same resources. vpnlab does not read the script's calls yet: with a
 * Terraform file that gives the same site its alibaba block (an export folder holds both), the
 * script is passed over with a note; alone, it is a problem, so that nothing it says is lost
 * without a word.
 */

export const alibabaAliyunCliReader: SourceReader = {
  format: 'aliyun CLI script (not read; its main.tf is)',
  accepts: (source) => /\.sh$/i.test(source.path) && /^\s*(\S+=\$\()?aliyun vpc /m.test(source.text),
  read: (source, draft) => passOver(source, draft),
};

function passOver(source: ImportSource, draft: TopologyDraft): void {
  const origin = { file: source.path, line: 1, column: 1 };
  draft.afterAll(() => {
    const site = source.site === undefined ? undefined : draft.sites.find((s) => s.name === source.site && s.platform === 'alibaba');
    if (site !== undefined && site.data['alibaba'] !== undefined) {
      draft.note(origin, 'IMPORT_CLI_NOT_READ', `the aliyun CLI script is not read: site '${site.name}' takes its alibaba block from the Terraform file of the same export`);
      return;
    }
    draft.problem(origin, 'IMPORT_CLI_NOT_READ', 'vpnlab does not read aliyun CLI scripts yet', 'import the main.tf that `vpnlab export` writes beside it, or the export folder');
  });
}
