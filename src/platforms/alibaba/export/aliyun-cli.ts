import type { Artifact, ExportContext } from '../../artifacts.js';
import type { AlibabaRef } from './common.js';

export function alibabaAliyunCli(aref: AlibabaRef, _context: ExportContext): Artifact {
  return { path: `${aref.site.name}/aliyun-cli.sh`, format: 'aliyun-cli', text: '', holdsSecrets: false };
}
