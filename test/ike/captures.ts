import { hex } from '../helpers/round-trip.js';

/*
 * Real messages from Wireshark's test capture test/captures/ikev2-decrypt-aes128ccm12.pcap
 * (https://github.com/wireshark/wireshark), frames as quoted in scapy's test/contrib/ikev2.uts;
 * the Ethernet, IPv4 and UDP headers (42 octets) are removed. Each is laid out against RFC 7296.
 */

/** Frame 1: IKE_SA_INIT request, 248 octets (UDP length 256). */
export const WIRESHARK_SA_INIT_REQUEST = hex(`
  ea684d21597afd36                  // IKE SA Initiator's SPI
  0000000000000000                  // IKE SA Responder's SPI: 0, not known yet (RFC 7296 §3.1)
  21                                // Next Payload 33: SA
  20                                // MjVer 2, MnVer 0
  22                                // Exchange Type 34: IKE_SA_INIT
  08                                // Flags: Initiator (I) only: a request from the original initiator
  00000000                          // Message ID 0
  000000f8                          // Length 248
  22 00 0028                        // SA: Next Payload 34 (KE), C clear, Payload Length 40
    00 00 0024                      //   proposal: last (0), Proposal Length 36
    01 01 00 03                     //   Proposal Num 1, Protocol ID 1 (IKE), SPI Size 0, 3 transforms
    03 00 000c 01 00 000f           //   transform: more (3), length 12, type 1 ENCR, ID 15 AES-CCM-12
    800e 0080                       //     attribute AF=1 (TV) type 14 Key Length: 128
    03 00 0008 02 00 0005           //   transform: more, length 8, type 2 PRF, ID 5 HMAC-SHA2-256
    00 00 0008 04 00 0013           //   transform: last, length 8, type 4 DH, ID 19 (256-bit ECP); AEAD: no INTEG
  28 00 0048                        // KE: Next Payload 40 (Nonce), length 72
    0013 0000                       //   DH Group Num 19, RESERVED
    32c6dffe5c43b0d5811f7eaaa84c9f78bf99b9069c2b072e0b82f46bf6f66dd4  // Key Exchange Data: x (32 octets)
    5f97ef89ee285fd5df527a44776b529fc9d8a909d842a6fb59b96a0953956172  //   and y (32 octets), RFC 5903 §7
  29 00 0024                        // Nonce: Next Payload 41 (Notify), length 36
    b655462d6f4b66f872ccd7f0f4b4857732921339cbaa5237edba244f262b6823  // Nonce Data, 32 octets
  29 00 001c                        // Notify: Next Payload 41, length 28
    00 00 4004                      //   Protocol ID 0, SPI Size 0, type 16388 NAT_DETECTION_SOURCE_IP
    949c9db5739d75a974a49c184618369b34b7f942  // SHA-1(SPIi | SPIr | source IP | port)
  29 00 001c                        // Notify: Next Payload 41, length 28
    00 00 4005                      //   type 16389 NAT_DETECTION_DESTINATION_IP
    3e721b46be07d53111425d7f80d2c6e220c6072e
  00 00 0010                        // Notify: last payload, length 16
    00 00 402f                      //   type 16431 SIGNATURE_HASH_ALGORITHMS (RFC 7427)
    0001 0002 0003 0004             //   SHA1, SHA2-256, SHA2-384, SHA2-512
`);

/** Frame 2: the IKE_SA_INIT response, 240 octets. */
export const WIRESHARK_SA_INIT_RESPONSE = hex(`
  ea684d21597afd36 d9fe2ab22dac23ac 21 20 22 20 00000000 000000f0  // SPIs, SA, 2.0, IKE_SA_INIT, Flags: Response (R) only, ID 0, 240
  22000028 00000024 01010003 0300000c 0100000f 800e0080 03000008 02000005 00000008 04000013  // SA: the same proposal back
  28000048 00130000 2c66beadb6ce8535d6218cb401aa5a1eb4035b97caddaf36374a979c0446b880  // KE, group 19
    0506bf9d6f950952326bf3011913da93bb8e40f815376be1a06801c0a63e3b54
  29000024 9e5d267379e681e7d38d81c710d383401de7e3607b926d90a9958adcb52831aa  // Nonce
  2900001c 00004004 7a0785273d59203829a697550f31cbb94eb72b43                 // N(NAT_DETECTION_SOURCE_IP)
  2900001c 00004005 c3e58a8cc9933ce0b78f2a50e8de80134e12ce31                 // N(NAT_DETECTION_DESTINATION_IP)
  00000008 00004014                                                          // N(MULTIPLE_AUTH_SUPPORTED), RFC 4739
`);

/** A later frame: an INFORMATIONAL request protected by SK, 61 octets. */
export const WIRESHARK_INFORMATIONAL = hex(`
  ea684d21597afd36 d9fe2ab22dac23ac // SPIs
  2e 20 25 08                       // Next Payload 46 (SK), 2.0, INFORMATIONAL (37), Initiator
  00000002 0000003d                 // Message ID 2, Length 61
  2a 00 0021                        // SK: Next Payload 42 (the first payload inside is a Delete), length 33
  cca0b35de5abc51c                  //   IV (8 octets for AES-CCM, RFC 5282 §3)
  9987cbf1f5ecff210e                //   ciphertext: Delete (8) + Pad Length (1)
  b767cdb85179383b964d78e2          //   ICV (12 octets: AES-CCM-12)
`);
