import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  KubeConflictError,
  KubeError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeUnauthorizedError,
  KubeUnreachableError,
  kubeCall,
  toKubeError,
} from './errors';

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) });

describe('toKubeError', () => {
  it('maps each status code to its class, keeping Status reason, message and details', () => {
    const cases: Array<[number, string, new (...a: never[]) => KubeError]> = [
      [401, 'Unauthorized', KubeUnauthorizedError],
      [403, 'Forbidden', KubeForbiddenError],
      [404, 'NotFound', KubeNotFoundError],
      [409, 'AlreadyExists', KubeConflictError],
      [409, 'Conflict', KubeConflictError],
      [422, 'Invalid', KubeInvalidError],
      [500, 'InternalError', KubeError],
    ];
    for (const [code, reason, cls] of cases) {
      const e = toKubeError(new ApiException(code, 'Unknown API Status Code!', status(code, reason, `msg ${code}`, { name: 'x' }), {}), 'do thing');
      expect(e, `${code} ${reason}`).toBeInstanceOf(cls);
      expect(e.code).toBe(code);
      expect(e.reason).toBe(reason);
      expect(e.statusMessage).toBe(`msg ${code}`);
      expect(e.details).toEqual({ name: 'x' });
      expect(e.action).toBe('do thing');
      expect(e.message).toBe(`do thing: msg ${code}`);
      expect(e.cause).toBeInstanceOf(ApiException);
    }
  });

  it('copes with bodies that are not a Status', () => {
    const e401 = toKubeError(new ApiException(401, 'Unauthorized', undefined, {}), 'list');
    expect(e401).toBeInstanceOf(KubeUnauthorizedError);
    expect(e401.reason).toBe('Unauthorized');
    expect(e401.statusMessage).toBe('HTTP 401 Unauthorized');
    const html = toKubeError(new ApiException(502, 'Unknown API Status Code!', '<html>bad gateway</html>', {}), 'get');
    expect(html.constructor).toBe(KubeError);
    expect(html.statusMessage).toBe('<html>bad gateway</html>');
    const parsed = toKubeError(new ApiException(403, 'x', JSON.parse(status(403, 'Forbidden', 'no')), {}), 'get');
    expect(parsed.statusMessage).toBe('no');
  });

  it('treats a 400 carrying reason Invalid as KubeInvalidError, other 400s as KubeError', () => {
    expect(toKubeError(new ApiException(400, 'x', status(400, 'Invalid', 'bad'), {}), 'a')).toBeInstanceOf(KubeInvalidError);
    const e = toKubeError(new ApiException(400, 'x', status(400, 'BadRequest', 'bad'), {}), 'a');
    expect(e.constructor).toBe(KubeError);
    expect(e.reason).toBe('BadRequest');
  });

  it('maps watch errors (statusCode) and transport failures', () => {
    const w = Object.assign(new Error('Gone'), { statusCode: 410 });
    expect(toKubeError(w, 'watch').code).toBe(410);
    expect(toKubeError(w, 'watch').reason).toBe('Expired');
    const net = Object.assign(new Error('request to http://127.0.0.1:1/api failed, reason: connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const e = toKubeError(net, 'list nodes');
    expect(e).toBeInstanceOf(KubeUnreachableError);
    expect(e.code).toBe(0);
    expect(e.statusMessage).toContain('ECONNREFUSED');
  });

  it('passes KubeErrors through and kubeCall rethrows typed', async () => {
    const original = new KubeNotFoundError('x', { code: 404, reason: 'NotFound', statusMessage: 'gone' });
    expect(toKubeError(original, 'y')).toBe(original);
    await expect(kubeCall('read', async () => { throw new ApiException(404, 'x', status(404, 'NotFound', 'nope'), {}); })).rejects.toBeInstanceOf(KubeNotFoundError);
    await expect(kubeCall('read', async () => 7)).resolves.toBe(7);
  });
});
