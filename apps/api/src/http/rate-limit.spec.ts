import { clientNetwork } from './rate-limit';

describe('clientNetwork: what one client controls', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:85a3:1:8a2e:370:7334:1', '2001:db8:85a3:1::/64'],
    ['2001:0db8:85a3:0001:ffff:ffff:ffff:ffff', '2001:db8:85a3:1::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:1::2', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s -> %s', (ip, network) => {
    expect(clientNetwork(ip)).toBe(network);
  });

  it('puts every address of one /64 together, and a neighbouring /64 apart', () => {
    const a = clientNetwork('2001:db8:1:2::1');
    expect(clientNetwork('2001:db8:1:2:ffff:ffff:ffff:fffe')).toBe(a);
    expect(clientNetwork('2001:db8:1:3::1')).not.toBe(a);
  });
});
