// The origin check: our listen origins and VETHWATCH_PUBLIC_URL only, never the Host header (DNS rebinding).
import { afterEach, describe, expect, it } from 'vitest';
import { authConfigFromEnv } from './config';
import { allowedOrigins, checkCsrf } from './csrf';
import { listenOrigins, setListenOrigins } from './origins';

const h = (o: Record<string, string>) => new Headers({ 'x-vethwatch-csrf': '1', ...o });
const before = listenOrigins();
afterEach(() => setListenOrigins(before));

describe('checkCsrf', () => {
  it('allows the listen origins and the public URL, and nothing the Host header says', () => {
    setListenOrigins(['http://127.0.0.1:3000']);
    const auth = authConfigFromEnv({ VETHWATCH_PUBLIC_URL: 'https://vw.example.com/some/path' });
    expect(allowedOrigins(auth)).toEqual(['http://127.0.0.1:3000', 'https://vw.example.com']);
    expect(() => checkCsrf(h({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000' }), auth)).not.toThrow();
    expect(() => checkCsrf(h({ host: 'internal:3000', origin: 'https://vw.example.com' }), auth)).not.toThrow();
    expect(() => checkCsrf(h({ host: 'rebind.evil.test', origin: 'http://rebind.evil.test' }), auth)).toThrow(/Origin http:\/\/rebind.evil.test is not this site/);
    expect(() => checkCsrf(h({ host: 'vw.example.com', origin: 'http://vw.example.com' }), auth)).toThrow(/not this site/); // wrong scheme
    expect(() => checkCsrf(h({ 'x-forwarded-host': 'evil.test', origin: 'http://evil.test' }), auth)).toThrow(/not this site/);
  });

  it('without an Origin, accepts only a browser-declared same-origin request', () => {
    const auth = authConfigFromEnv({});
    expect(() => checkCsrf(h({ host: 'vethwatch.test' }), auth)).toThrow(/no Origin header/);
    expect(() => checkCsrf(h({ 'sec-fetch-site': 'same-origin' }), auth)).not.toThrow();
    expect(() => checkCsrf(new Headers({ 'sec-fetch-site': 'same-origin' }), auth)).toThrow(/x-vethwatch-csrf/);
  });
});
