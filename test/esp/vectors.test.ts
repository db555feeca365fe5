import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EncrId } from '../../src/crypto/iana.js';
import { CryptoSuite } from '../../src/crypto/suite.js';
import { decapsulate, encapsulate, paddingLength } from '../../src/esp/packet.js';
import { hex } from '../helpers/round-trip.js';

/*
 * draft-mcgrew-gcm-test-01 ("Test Cases for the use of GCM and GMAC in IPsec ESP", McGrew, 2009)
 * §4: ESP packets protected with AES-GCM-16 (RFC 4106). The values are as the draft gives them
 * and as transcribed in several public test suites (Go, C++, Lua ports) that agree. Per case:
 * the AES key and the 4-byte salt that follows it in the key material, SPI, sequence number
 * (a 12-byte AAD means a 64-bit extended sequence number: high half authenticated, low half
 * sent), the 8-byte IV, the plaintext (payload | padding 1,2,.. | pad length | next header) and
 * ciphertext | ICV. The draft's packets carry Next Header 1 in the trailer, so they are replayed
 * with nextHeader 1; the payloads are IPv4 packets (and two odd ones: an empty payload, and
 * ASCII text), the padding is the RFC 4303 minimum to 4-byte alignment, which encapsulate() must
 * reproduce for the same bytes to come out.
 */
const GCM_ESP = [
  { key: '4c80cdefbb5d10da906ac73c3613a634', salt: '2e443b68', spi: '00004321', seqHigh: '87654321', seq: '00000000', iv: '4956ed7e3b244cfe',
    plain: '45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000'
      + '00000000045f736970045f756470037369700963796265726369747902646b00' + '0021000101020201',
    sealed: 'fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce'
      + '61bc17d768fd9732' + '459018148f6cbe722fd04796562dfdb4' },
  { key: 'feffe9928665731c6d6a8f9467308308', salt: 'cafebabe', spi: '0000a5f8', seq: '0000000a', iv: 'facedbaddecaf888',
    plain: '4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d001000001000000000000037369700963796265726369747902646b00000100010001',
    sealed: 'deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1'
      + '83b70d3aa8bc6ee4c309e9d85a41ad4a' },
  { key: 'abbccddef00112233445566778899aababbccddef00112233445566778899aab', salt: '11223344', spi: '4a2cbfe3', seq: '00000002', iv: '0102030405060708',
    plain: '4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee0000000007002400020bf0000020405b40101040201020201',
    sealed: 'ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763748a637985771d347f0545659f14e99def842d8e' + 'b335f4eecfdbf831824b4c4915956c96' },
  { key: '00000000000000000000000000000000', salt: '00000000', spi: '00000000', seq: '00000001', iv: '0000000000000000',
    plain: '4500003c99c500008001cb7a40679318010101010800075c020044006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201',
    sealed: '4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3'
      + 'f821d496eeb096e98ad2b69e4799c71d' },
  { key: '3de09874b388e6491988d0c3607eae1f', salt: '57690e43', spi: '42f67e3f', seqHigh: '10101010', seq: '10101010', iv: '4e280000a2fca1a3',
    plain: '4500003c99c300008001cb7c40679318010101010800085c020043006162636465666768696a6b6c6d6e6f707172737475767761626364656667686901020201',
    sealed: 'fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c35791765acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a'
      + 'e0d731cc978ecafaeae88f00e80d6e48' },
  { key: '3de09874b388e6491988d0c3607eae1f', salt: '57690e43', spi: '42f67e3f', seqHigh: '10101010', seq: '10101010', iv: '4e280000a2fca1a3',
    plain: '4500001c42a200008001441f406793b6e00000020a00f5ff01020201',
    sealed: 'fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed' + '369f071f35e034be95f112e4e7d05d35' },
  { key: 'feffe9928665731c6d6a8f9467308308feffe9928665731c', salt: 'cafebabe', spi: '0000a5f8', seq: '0000000a', iv: 'facedbaddecaf888',
    plain: '45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e501016d075680001',
    sealed: 'a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0315b27452144cc77' + '95457b9652037f5318027b5b4cd7a636' },
  { key: 'abbccddef00112233445566778899aab', salt: 'decaf888', spi: '00000100', seqHigh: '00000000', seq: '00000001', iv: 'cafedebaceface74',
    plain: '4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d500004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec959b6266c04722b14923010101',
    sealed: '18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c226f2127b27db35724e7845d68'
      + '651f57e65f354f75ff17015769623436' },
  { key: 'abbccddef00112233445566778899aababbccddef00112233445566778899aab', salt: '73616c74', spi: '17405e67', seqHigh: '156f3126', seq: 'dd0db99b', iv: '616e640169766563',
    plain: '45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb71260250101f646d540001',
    sealed: 'f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57ff4d3a31ce673119e' + '451626c2415771e3b7eebca614c89b35' },
  { key: '3de09874b388e6491988d0c3607eae1f', salt: '57690e43', spi: '42f67e3f', seqHigh: '10101010', seq: '10101010', iv: '4e280000a2fca1a3',
    plain: '45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b325ae270c03899493915010101',
    sealed: 'fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d54182800cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39ab533163aad4550ee5160975'
      + 'cdb608c5769189609763b8e18caa81e2' },
  { key: 'abbccddef00112233445566778899aababbccddef00112233445566778899aab', salt: '73616c74', spi: '17405e67', seqHigh: '156f3126', seq: 'dd0db99b', iv: '616e640169766563',
    plain: '636973636f0172756c657301746865016e6574776501646566696e6501746865746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f72726f7701020201',
    sealed: 'd4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b012a49363412364f8'
      + 'c0cac587f249e56b11e24f30e44ccc76' },
  { key: '7d773d00c144c525ac619d18c84a3f47', salt: 'd9664267', spi: '335467ae', seq: 'ffffffff', iv: '43457e9182443bc6',
    plain: '01020201', sealed: '437f866b' + 'cb3f699fe9b0822bac961c4504bef270' },
  { key: 'abbccddef00112233445566778899aab', salt: 'decaf888', spi: '00000100', seqHigh: '00000000', seq: '00000001', iv: 'cafedebaceface74',
    plain: '746f016265016f72016e6f7401746f0162650001', sealed: '29c9fc69a197d038ccdd14e2ddfcaa0543332164' + '412503524303ed3c6c5f283843af8c3e' },
  { key: '6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961', salt: '7475726e', spi: '796b6963', seqHigh: 'ffffffff', seq: 'ffffffff',
    iv: '333021696765746d',
    plain: '45000030da3a00008001df3bc0a80005c0a800010800c6cd020007006162636465666768696a6b6c6d6e6f707172737401020201',
    sealed: 'f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a864cd3d78ca4ae68a32b42458fb57dbe821dcc63b9' + 'd0937ba2945f669368661a329fb4c053' },
];

/*
 * RFC 3602 §4, cases #5-#8: AES-128-CBC ESP packets with no integrity (RFC 4303 confidentiality
 * only). #5 and #6 are transport mode (an ICMP echo, Next Header 1), #7 and #8 tunnel mode (an
 * IPv4 packet, Next Header 4). The whole ESP packet is given: SPI | seq | IV | ciphertext.
 */
const CBC_ESP = [
  { key: '90d382b410eeba7ad938c46cec1a82bf', seq: 1, nextHeader: 1,
    payload: '08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
    packet: '00004321' + '00000001' + 'e96e8c08ab465763fd098d45dd3ff893'
      + 'f663c25d325c18c6a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6' },
  { key: '90d382b410eeba7ad938c46cec1a82bf', seq: 8, nextHeader: 1, payload: '0800b5e8a80a0500a69c083d0b660e00777777777777777777777777',
    packet: '00004321' + '00000008' + '69d08df7d203329db093fc4924e5bd80' + 'f51995881ec4e0c4488987ce742e8109689bb379d2d750c0d915dca346a89f75' },
  { key: '0123456789abcdef0123456789abcdef', seq: 2, nextHeader: 4,
    payload: '45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637',
    packet: '00008765' + '00000002' + 'f4e765244f6407adf13dc1380f673f37'
      + '773b5241a4c449225e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad7a0f022b859243c647752e94a859352b8a4d4d2decd136e5c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d' },
  { key: '0123456789abcdef0123456789abcdef', seq: 5, nextHeader: 4,
    payload: '45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083da3de0300ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
    packet: '00008765' + '00000005' + '85d47224b5f3dd5d2101d4ea8dffab22'
      + '15b92683819596a8047232cc00f7048fe45318e11f8a0f62ede3c3fc61203bb50f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3d2726d9b5ef6affc6d17a0decbb13892' },
];

const u32 = (h: string): number => parseInt(h, 16) >>> 0;

describe('ESP test vectors, end to end through encapsulate/decapsulate', () => {
  it('draft-mcgrew-gcm-test-01: all 14 AES-GCM ESP packets come out byte for byte', () => {
    for (const [i, v] of GCM_ESP.entries()) {
      const plain = hex(v.plain);
      const nextHeader = plain[plain.length - 1]!;
      const padLength = plain[plain.length - 2]!;
      const payload = plain.subarray(0, plain.length - 2 - padLength);
      assert.equal(paddingLength(payload.length, 4), padLength, `case ${i}: minimal padding`);
      const esn = v.seqHigh !== undefined;
      const suite = CryptoSuite.esp({ encr: EncrId.AesGcm16, encrKeyBits: hex(v.key).length * 8, esn });
      const cipher = suite.esp({ encKey: hex(v.key + v.salt), integKey: new Uint8Array(0) });
      const wire = hex(v.spi + v.seq + v.iv + v.sealed);
      const seqHigh = esn ? u32(v.seqHigh!) : 0;
      assert.deepEqual(encapsulate(cipher, { spi: u32(v.spi), seq: u32(v.seq), seqHigh, payload, nextHeader, iv: hex(v.iv) }), wire, `case ${i}`);
      const out = decapsulate(cipher, wire, seqHigh);
      assert.deepEqual([out.spi, out.seq, out.nextHeader, out.padLength], [u32(v.spi), u32(v.seq), nextHeader, padLength]);
      assert.deepEqual(out.payload, payload);
    }
  });

  it('RFC 3602 cases 5-8: AES-128-CBC ESP packets come out byte for byte', () => {
    for (const v of CBC_ESP) {
      const suite = CryptoSuite.esp({ encr: EncrId.AesCbc, encrKeyBits: 128 }, { allowNoIntegrity: true });
      const cipher = suite.esp({ encKey: hex(v.key), integKey: new Uint8Array(0) });
      const wire = hex(v.packet);
      const iv = wire.subarray(8, 24);
      assert.deepEqual(encapsulate(cipher, { spi: u32(v.packet.slice(0, 8)), seq: v.seq, payload: hex(v.payload), nextHeader: v.nextHeader, iv }), wire);
      const out = decapsulate(cipher, wire);
      assert.deepEqual(out.payload, hex(v.payload));
      assert.equal(out.nextHeader, v.nextHeader);
    }
  });
});
