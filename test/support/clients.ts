/**
 * Client addresses, as the load balancer's X-Forwarded-For gives them, that no other request of the suite has used:
 * per-network rate limits then stay out of the way of tests that are not about them. `network` is the first two octets
 * of an IPv4 /16 of the suite's choosing (up to 65 536 addresses).
 */
export function clientAddresses(network = '198.18'): () => string {
  let used = 0;
  return () => {
    used += 1;
    if (used > 0xffff) throw new Error(`no fresh address left in ${network}.0.0/16`);
    return `${network}.${used >> 8}.${used & 255}`;
  };
}

/** The header that makes a request come from `ip` (behind the trusted proxy). */
export const fromAddress = (ip: string): { 'x-forwarded-for': string } => ({ 'x-forwarded-for': ip });
