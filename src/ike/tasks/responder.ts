import { ExchangeType, ProtocolId, exchangeName } from '../constants.js';
import { IkeError, invalidSyntax } from '../errors.js';
import type { IkeSa, ResponderResult } from '../ike-sa.js';
import { payloadOf, type IkeMessage } from '../message.js';
import { NotifyType } from '../constants.js';
import { respondCreateChild } from './child-create.js';
import { respondIkeAuth } from './ike-auth.js';
import { respondIkeRekey } from './ike-rekey.js';
import { respondInformational } from './informational.js';

/*
 * Answers to the peer's requests on an IKE SA, by exchange type (IKE_SA_INIT is the engine's:
 * it has no SA yet). Each answer is a pure function of the SA and the request; an IkeError
 * thrown here becomes an error Notify response.
 */
export function respond(sa: IkeSa, request: IkeMessage): ResponderResult {
  const exchange = request.header.exchangeType;
  if (exchange === ExchangeType.IKE_AUTH) {
    if (sa.state !== 'connecting' || sa.originalInitiator) throw invalidSyntax('IKE_AUTH on an IKE SA that is already authenticated');
    return respondIkeAuth(sa, request);
  }
  if (sa.state === 'connecting') throw invalidSyntax(`${exchangeName(exchange)} before IKE_AUTH completed`);
  switch (exchange) {
    case ExchangeType.CREATE_CHILD_SA: {
      const offer = payloadOf(request.payloads, 'sa')!;
      return offer.proposals.some((p) => p.protocolId === ProtocolId.IKE) ? respondIkeRekey(sa, request) : respondCreateChild(sa, request);
    }
    case ExchangeType.INFORMATIONAL:
      return respondInformational(sa, request);
    default:
      throw new IkeError(NotifyType.INVALID_SYNTAX, `exchange ${exchangeName(exchange)} is not supported`);
  }
}
