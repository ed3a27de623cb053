import { isIPv4, isIPv6 } from 'node:net';

/** `::ffff:a.b.c.d`: an IPv4 client seen through a dual-stack socket. */
const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The client a per-IP limit counts (SECURITY.md): an IPv4 address as it is, an IPv6 address by its /64, since one
 * host is given a whole /64 and can take a new address from it for every request. `2001:db8:1:2:a::1` and
 * `2001:db8:1:2:ffff::9` are both `2001:db8:1:2::/64`. Anything else (no address at all) is counted as it is.
 */
export function clientNetwork(ip: string): string {
  const mapped = MAPPED_IPV4.exec(ip);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  const address = ip.replace(/%.*$/, ''); // a zone index (`fe80::1%eth0`) names the interface, not the host
  if (!isIPv6(address)) return ip;
  return `${firstGroups(address, 4).join(':')}::/64`;
}

/** The first `count` 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function firstGroups(address: string, count: number): string[] {
  const [head, tail] = address.toLowerCase().split('::') as [string, string | undefined];
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  // An embedded IPv4 tail (`::ffff:1.2.3.4`, `64:ff9b::1.2.3.4`) is two groups; only the first four matter here.
  const toGroups = (parts: string[]) => parts.flatMap((part) => (part.includes('.') ? ['0', '0'] : [part]));
  const left = toGroups(groupsOf(head));
  const right = toGroups(groupsOf(tail));
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.slice(0, count).map((group) => Number.parseInt(group, 16).toString(16));
}
