// Facts about a request that only the custom server knows (which socket it came from, on which listener), handed to
// Next route handlers as headers. The server deletes any copy a client sent before it sets them, so a route may
// trust them; nothing else may set them.
export const PEER_ADDRESS_HEADER = 'x-vethwatch-peer-address';
export const LISTENER_HEADER = 'x-vethwatch-listener';

/** Which listener a request arrived on: 'agent' (ingest only), 'people' (UI, read API, remediation) or 'both'. */
export type ListenerRole = 'agent' | 'people' | 'both';

/** The peer's socket address (never a forwarded one), or null when the request did not come through our server. */
export function peerAddress(headers: Headers): string | null {
  return headers.get(PEER_ADDRESS_HEADER);
}
