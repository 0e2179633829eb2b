// TokenReview as kube-apiserver answers it for service-account tokens: the identity a token stands for, the
// audiences it is valid for (the intersection with those requested), or an error in status. Always 201.
import { statusErrors } from './status';
import type { Obj } from './store';

export interface TokenIdentity {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  /** Audiences the token was issued for. */
  audiences: string[];
  /**
   * Simulates an audience-agnostic authenticator (e.g. a webhook): the token authenticates whatever audiences are
   * requested, and status.audiences is this list instead of the intersection.
   */
  reportedAudiences?: string[];
}

export class TokenReviews {
  private readonly identities = new Map<string, TokenIdentity>();

  add(token: string, identity: TokenIdentity): void {
    this.identities.set(token, identity);
  }

  review(body: unknown): Obj {
    const review = (body ?? {}) as Obj;
    if (review.kind !== 'TokenReview' || review.apiVersion !== 'authentication.k8s.io/v1') {
      throw statusErrors.badRequest(`the API version in the data (${String(review.apiVersion)}) does not match the expected API version (authentication.k8s.io/v1)`);
    }
    const token: string = review.spec?.token ?? '';
    const wanted: string[] = review.spec?.audiences?.length ? review.spec.audiences : ['https://kubernetes.default.svc.cluster.local'];
    const id = this.identities.get(token);
    let status: Obj;
    if (!token) status = { user: {}, error: 'token is required' };
    else if (!id) status = { user: {}, error: '[invalid bearer token, square/go-jose: error in cryptographic primitive]' };
    else {
      const common = id.reportedAudiences ?? wanted.filter((a) => id.audiences.includes(a));
      if (common.length === 0 && !id.reportedAudiences) {
        status = {
          user: {},
          error: `[invalid bearer token, token audiences ${JSON.stringify(id.audiences)} is invalid for the target audiences ${JSON.stringify(wanted)}]`,
        };
      } else {
        status = {
          authenticated: true,
          user: { username: id.username, uid: id.uid ?? '', groups: id.groups ?? [], extra: id.extra ?? {} },
          audiences: common,
        };
      }
    }
    return { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: review.spec ?? {}, status };
  }
}
