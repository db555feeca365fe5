import type { SourceReader } from '../../imports.js';
import { frrReader } from './frr.js';
import { ipReader } from './ip.js';
import { swanctlReader } from './swanctl.js';

/*
 * The `readers` hook of the Linux adapter: swanctl.conf, frr.conf and ip.sh, each read into a part
 * of a gateway of the `linux:` block; gateways.ts says which files form one gateway and puts the
 * parts together once every source has been read.
 */
export const linuxReaders: readonly SourceReader[] = [swanctlReader, frrReader, ipReader];
