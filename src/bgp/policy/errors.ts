import { VpnlabError } from '../../core/errors.js';

export const PolicyErrorCode = {
  BadRegex: 'ERR_BGP_POLICY_BAD_REGEX',
  BadPrefixRange: 'ERR_BGP_POLICY_BAD_PREFIX_RANGE',
  BadValue: 'ERR_BGP_POLICY_BAD_VALUE',
  BadCommunity: 'ERR_BGP_POLICY_BAD_COMMUNITY',
} as const;
export type PolicyErrorCode = (typeof PolicyErrorCode)[keyof typeof PolicyErrorCode];

/** A policy that cannot be compiled. `where` names the policy, statement and item. */
export class PolicyError extends VpnlabError {
  readonly where: string;

  constructor(code: PolicyErrorCode, where: string, message: string) {
    super(code, `${where}: ${message}`);
    this.where = where;
  }
}
