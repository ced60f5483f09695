import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Loopback and link-local: what a webhook may not reach in production unless WEBHOOK_ALLOW_LOOPBACK=true. */
const FORBIDDEN = new BlockList();
FORBIDDEN.addSubnet('127.0.0.0', 8, 'ipv4');
// "this network": connecting to 0.0.0.0 reaches the local host
FORBIDDEN.addSubnet('0.0.0.0', 8, 'ipv4');
// link-local, where cloud metadata services answer (169.254.169.254)
FORBIDDEN.addSubnet('169.254.0.0', 16, 'ipv4');
FORBIDDEN.addAddress('::1', 'ipv6');
FORBIDDEN.addAddress('::', 'ipv6');
FORBIDDEN.addSubnet('fe80::', 10, 'ipv6');
// the same IPv4 ranges written as IPv4-mapped IPv6 addresses ([::ffff:127.0.0.1])
FORBIDDEN.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
FORBIDDEN.addSubnet('::ffff:0.0.0.0', 104, 'ipv6');
FORBIDDEN.addSubnet('::ffff:169.254.0.0', 112, 'ipv6');

const LOOKUP_TIMEOUT_MS = 3000;

export function isLoopbackOrLinkLocal(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && FORBIDDEN.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Why this URL's host may not receive webhooks under the loopback rule, or null if it may. Literal addresses
 * (in any form the URL parser normalises: `2130706433`, `[::ffff:7f00:1]`) and `localhost` names are judged as
 * written; other names by every address they resolve to now. A name that does not resolve is let through: its
 * deliveries fail and are retried like any unreachable receiver's.
 */
export async function forbiddenHost(url: string): Promise<string | null> {
  const host = new URL(url).hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return `${host} is the loopback`;
  if (isIP(host)) return isLoopbackOrLinkLocal(host) ? `${host} is a loopback or link-local address` : null;
  const forbidden = (await resolve(host)).find(isLoopbackOrLinkLocal);
  return forbidden ? `${host} resolves to ${forbidden}, a loopback or link-local address` : null;
}

async function resolve(host: string): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('lookup timed out')), LOOKUP_TIMEOUT_MS)));
  try {
    const addresses = await Promise.race([lookup(host, { all: true, verbatim: true }), timeout]);
    return addresses.map((entry) => entry.address);
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}
