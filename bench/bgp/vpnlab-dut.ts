/**
 * The vpnlab DUT's entry point: what bin/vpnlab.js does, but with the CLI of the build this file
 * was compiled into, so that `node BUILD/bench/bgp-propagation.js` measures BUILD (bin/vpnlab.js
 * always loads the package's dist/). Run as `node vpnlab-dut.js bgp run FILE`.
 */
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
