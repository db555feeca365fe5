import type { Site } from '../topology/schema.js';
import { planAlibabaSite } from './alibaba/gateway.js';
import { planAzureSite } from './azure/gateway.js';
import type { PlanContext, SitePlan } from './plan.js';
import { planRrasSite } from './rras/gateway.js';

/** The gateways and fabric a site runs, by its platform; undefined for a plain Linux site. */
export function planSite(site: Site, context: PlanContext): SitePlan | undefined {
  switch (site.platform) {
    case 'azure': return planAzureSite(site, context);
    case 'alibaba': return planAlibabaSite(site, context);
    case 'rras': return planRrasSite(site);
    case 'linux': return undefined;
  }
}
