import type { Artifact, SiteExporter } from '../../artifacts.js';
import type { AlibabaModel } from '../model.js';
import { alibabaAliyunCli } from './aliyun-cli.js';
import { alibabaTerraform } from './terraform.js';

/*
 * The `exporter` hook of the Alibaba adapter: Terraform for the alicloud provider (main.tf) and
 * the same resources as a bash script of aliyun CLI calls (aliyun-cli.sh). A VPC without VPN
 * gateway resources (no `alibaba:` block) writes nothing: it has nothing of its own to build
 * beyond what the manifest keeps.
 */
export const alibabaExporter: SiteExporter<'alibaba', AlibabaModel> = {
  formats: ['terraform', 'aliyun-cli'],
  defaults: ['terraform', 'aliyun-cli'],
  readBack: [['terraform']],
  export(ref, context): Artifact[] {
    if (ref.model.block === undefined) return [];
    const artifacts: Artifact[] = [];
    if (context.formats.has('terraform')) artifacts.push(alibabaTerraform(ref, context));
    if (context.formats.has('aliyun-cli')) artifacts.push(alibabaAliyunCli(ref, context));
    return artifacts;
  },
};
