import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Which webhook targets the mock may contact, so it cannot be used to reach arbitrary hosts.
 *
 * Always allowed: loopback (127.0.0.0/8, ::1, `localhost`) and private addresses (10.0.0.0/8,
 * 172.16.0.0/12, 192.168.0.0/16, fc00::/7). Names are resolved (dns.lookup, every address) and allowed
 * only when every address they resolve to is one of those. MOCK_WEBHOOK_ALLOW adds host patterns:
 * `hooks.example.com` (that name), `*.example.com` (any name under it, not the name itself),
 * `10.1.*` (addresses starting so), `203.0.113.5` / `[2001:db8::1]` (that address), each optionally with
 * `:port`. A name matching a pattern is allowed without resolving it; an address (literal or resolved)
 * matching one is allowed. Link-local addresses (169.254.0.0/16, cloud metadata services) are refused
 * unless a pattern names them.
 */

const LOCAL = new BlockList();
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('10.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('172.16.0.0', 12, 'ipv4');
LOCAL.addSubnet('192.168.0.0', 16, 'ipv4');
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addSubnet('fc00::', 7, 'ipv6');

/** Whether an IP address is loopback or private (IPv4-mapped IPv6 addresses are read as IPv4). Pure. */
export function isLocalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return LOCAL.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return LOCAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

interface HostPattern {
  readonly host: string;
  readonly port: string | null;
}

/** `host`, `host:port`, `[v6]`, `[v6]:port` → host (lowercase, without brackets) and port. */
export function parsePattern(pattern: string): HostPattern {
  const p = pattern.trim().toLowerCase();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(p);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ?? null };
  const withPort = /^(.*):(\d+)$/.exec(p);
  return withPort ? { host: withPort[1]!, port: withPort[2]! } : { host: p, port: null };
}

/** Whether a host (name or address, lowercase, no brackets) matches a pattern's host part. Pure. */
export function hostMatches(patternHost: string, host: string): boolean {
  if (patternHost.startsWith('*.')) return host.endsWith(patternHost.slice(1));
  if (patternHost.endsWith('.*')) return host.startsWith(patternHost.slice(0, -1));
  return host === patternHost;
}

export type AllowVerdict =
  | { readonly allowed: true; readonly host: string }
  | { readonly allowed: false; readonly reason: string };

export type Lookup = (host: string) => Promise<string[]>;

const systemLookup: Lookup = async (host) =>
  (await dnsLookup(host, { all: true, verbatim: true })).map((a) => a.address);

export class AllowList {
  private readonly patterns: readonly HostPattern[];

  constructor(
    patterns: readonly string[],
    private readonly lookup: Lookup = systemLookup,
  ) {
    this.patterns = patterns.map(parsePattern);
  }

  private matches(host: string, port: string): boolean {
    return this.patterns.some((p) => (p.port === null || p.port === port) && hostMatches(p.host, host));
  }

  /**
   * Decides whether `url` may be contacted. Never connects to it: a name is only resolved. The verdict
   * says why a target is refused.
   */
  async check(url: string): Promise<AllowVerdict> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { allowed: false, reason: 'not a valid URL' };
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      return { allowed: false, reason: `scheme ${u.protocol} is not http: or https:` };
    if (u.username !== '' || u.password !== '')
      return { allowed: false, reason: 'URLs with credentials are not supported' };
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    if (this.matches(host, port)) return { allowed: true, host };
    const literal = isIP(host) !== 0;
    if (!literal && host === 'localhost') return { allowed: true, host };
    let addresses: string[];
    if (literal) addresses = [host];
    else {
      try {
        addresses = await this.lookup(host);
      } catch (e) {
        return {
          allowed: false,
          reason: `${host} could not be resolved (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
        };
      }
      if (addresses.length === 0) return { allowed: false, reason: `${host} resolves to no address` };
    }
    const outside = addresses.find((a) => !isLocalAddress(a) && !this.matches(a.toLowerCase(), port));
    if (outside !== undefined)
      return {
        allowed: false,
        reason: `${literal ? host : `${host} resolves to ${outside}, which`} is not a loopback or private address and matches no MOCK_WEBHOOK_ALLOW pattern`,
      };
    return { allowed: true, host };
  }
}
