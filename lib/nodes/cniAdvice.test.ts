// The drop-in comment, the remediation plan's advice and the verdicts say the same about the VPC CNI versions.
import { describe, expect, it } from 'vitest';
import { DROP_IN_CONTENT } from '../remediation/dropIn';
import { CNI_ADVICE as PLAN_ADVICE } from '../remediation/plan';
import { CNI_RECOMMENDED_VERSION, CNI_FIX_VERSION } from '../kube/awsNode';
import { CNI_ADVICE, CNI_FIXED_IN, CNI_RECOMMENDED, CNI_UPGRADE_NOTE } from './cniAdvice';

describe('VPC CNI advice', () => {
  it('is one text, with the versions the aws-node check uses', () => {
    expect(PLAN_ADVICE).toBe(CNI_ADVICE);
    expect([CNI_FIXED_IN, CNI_RECOMMENDED]).toEqual([CNI_FIX_VERSION, CNI_RECOMMENDED_VERSION]);
    for (const text of [CNI_ADVICE, CNI_UPGRADE_NOTE, DROP_IN_CONTENT]) {
      expect(text).toContain('v1.20.1');
      expect(text).toContain('v1.20.5');
      expect(text).toContain('netlink churn');
    }
  });
});
