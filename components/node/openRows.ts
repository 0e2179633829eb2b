// Which table rows have their MAC history open, as the URL says: ?veth=a,b for veths, ?hostdev=a,b for host
// devices. Not a client module, so the node page's server component can prefetch what the URL opens.

/** The URL parameter naming the host devices whose history is open. */
export const HOST_DEVICE_PARAM = 'hostdev';

/** The open rows named by a parameter, bounded: ifnames are at most 15 characters, at most 64 are honoured. */
export function openIfnames(param: string | null): Set<string> {
  return new Set((param ?? '').split(',').filter((s) => s.length > 0 && s.length <= 15).slice(0, 64));
}
