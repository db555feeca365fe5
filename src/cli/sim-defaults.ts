/** How long (virtual time) commands wait for the gateways to settle before they start. */
export const DEFAULT_SETTLE_LIMIT_MS = 60 * 60_000;

/** Up to this many sites, `up` prints every site's events and views below the summary; above it, those of --show sites. */
export const SMALL_NETWORK_SITES = 10;
