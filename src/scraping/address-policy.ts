/**
 * Which network addresses a scrape may connect to. Only public unicast is allowed: anything
 * ipaddr.js classifies otherwise (loopback, private, link-local, multicast, unspecified, CGNAT,
 * broadcast, reserved, IPv6 unique-local, NAT64/6to4/Teredo that embed an IPv4 address) is refused,
 * and IPv4 addresses hidden inside IPv6 (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`) are
 * judged as the IPv4 address they carry. Numeric URL hosts in decimal/octal/hex notation are
 * already canonicalised by the WHATWG URL parser before they reach here.
 */
import ipaddr from 'ipaddr.js';

/** Instance-metadata endpoints, named in the reason because they are the classic SSRF target. */
const CLOUD_METADATA = new Set(['169.254.169.254', '169.254.170.2', '100.100.100.200', '192.0.0.192', 'fd00:ec2::254']);

/** `[::1]` (URL hostname form) → `::1`; strips an IPv6 zone id. */
function bare(address: string): string {
  return address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
}

export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(bare(host));
}

/** Why `address` may not be connected to, or null when it is a public unicast address. */
export function addressRefusal(address: string): string | null {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(bare(address));
  } catch {
    return `"${address}" is not an IP address`;
  }
  if (ip.kind() === 'ipv6') {
    const v6 = ip as ipaddr.IPv6;
    const embedsV4 = v6.isIPv4MappedAddress() || (v6.parts.slice(0, 6).every((p) => p === 0) && (v6.parts[6] ?? 0) !== 0);
    if (embedsV4) {
      const v4 = ipaddr.fromByteArray(v6.toByteArray().slice(12));
      const inner = addressRefusal(v4.toString());
      return inner ? `${address} embeds IPv4 ${v4.toString()}: ${inner}` : null;
    }
  }
  const canonical = ip.toString();
  if (CLOUD_METADATA.has(canonical)) return `${canonical} is a cloud metadata address`;
  const range = ip.range();
  if (range === 'unicast') return null;
  return `${canonical} is a ${range} address`;
}
