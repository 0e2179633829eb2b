// Which gateway a pod interface sends through, from its links and routes. Pure. The collector needs it to know
// which neighbour entry to read; agent/verdict.ts needs it to judge that entry.
import type { IpLink, IpRoute } from './ipJson';

/**
 * The gateway a pod interface sends through. The VPC CNI routes eth0 via 169.254.1.1 and its n-th extra
 * interface via 169.254.1.(n+1) (in table n); IPv6 pods use fe80::1. The pod's own routes win when they name a
 * gateway on this interface, since that is what the kernel will actually look up.
 */
export function gatewayIpFor(peer: IpLink, routes: readonly IpRoute[]): string {
  const onDev = routes.filter((r) => r.dev === peer.ifname && r.gateway);
  const viaDefault = onDev.find((r) => r.dst === 'default');
  if (viaDefault?.gateway) return viaDefault.gateway;
  if (onDev[0]?.gateway) return onDev[0].gateway;
  const hasV4 = peer.addrs.some((a) => a.family === 'inet');
  const hasGlobalV6 = peer.addrs.some((a) => a.family === 'inet6' && a.scope === 'global');
  if (!hasV4 && hasGlobalV6) return 'fe80::1';
  const n = /(\d+)$/.exec(peer.ifname);
  const index = n ? Number(n[1]) : 0;
  return index >= 0 && index <= 253 ? `169.254.1.${index + 1}` : '169.254.1.1';
}
