// Test support: stored-event values built by hand, for the pure derivations' unit tests.
import type { EventDataMap, EventType, NodeEvent } from '../../events/types';

export function storedEvent<K extends EventType>(id: number, type: K, at: string, data: EventDataMap[K], subject: string | null = null, node = 'node-1'): NodeEvent {
  return { id, node, type, at, receivedAt: at, reportId: `report-${id}`, subject, data } as NodeEvent;
}

const pod = (name: string) => ({ namespace: 'default', name });

export function arpChanged(id: number, at: string, ifname: string, from: EventDataMap['arp.changed']['from'], to: EventDataMap['arp.changed']['to'], podName: string | null = `pod-${ifname}`): NodeEvent {
  return storedEvent(
    id,
    'arp.changed',
    at,
    {
      ifname,
      from,
      to,
      pod: podName ? pod(podName) : null,
      podIP: '10.0.0.2',
      hostMac: '02:00:00:00:00:02',
      gatewayLladdr: to === 'mismatch' ? '02:00:00:00:00:01' : '02:00:00:00:00:02',
      fromGatewayLladdr: null,
    },
    ifname,
  );
}

export function vethAppeared(id: number, at: string, ifname: string, arpStatus: EventDataMap['veth.appeared']['arpStatus'], podName: string | null = `pod-${ifname}`): NodeEvent {
  return storedEvent(
    id,
    'veth.appeared',
    at,
    {
      ifname,
      ifindex: id,
      mac: '02:00:00:00:00:02',
      addrAssignType: arpStatus === 'mismatch' ? 3 : 1,
      pod: podName ? pod(podName) : null,
      podIP: '10.0.0.2',
      netns: null,
      arpStatus,
      gatewayLladdr: '02:00:00:00:00:01',
      initial: false,
    },
    ifname,
  );
}

export function vethVanished(id: number, at: string, ifname: string, podName: string | null = `pod-${ifname}`): NodeEvent {
  return storedEvent(
    id,
    'veth.vanished',
    at,
    { ifname, ifindex: id, mac: '02:00:00:00:00:02', pod: podName ? pod(podName) : null, podIP: '10.0.0.2', arpStatus: 'mismatch' },
    ifname,
  );
}
