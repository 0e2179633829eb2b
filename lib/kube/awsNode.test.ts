import { describe, expect, it } from 'vitest';
import { assessAwsNodeImage, imageTag, parseSemver } from './awsNode';

const ECR = '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni';

describe('assessAwsNodeImage', () => {
  it.each([
    [`${ECR}:v1.19.2-eksbuild.1`, 'v1.19.2-eksbuild.1', '1.19.2', false, true],
    [`${ECR}:v1.20.0`, 'v1.20.0', '1.20.0', false, true],
    [`${ECR}:v1.20.1-eksbuild.3`, 'v1.20.1-eksbuild.3', '1.20.1', true, true],
    [`${ECR}:v1.20.4-eksbuild.2`, 'v1.20.4-eksbuild.2', '1.20.4', true, true],
    [`${ECR}:v1.20.5-eksbuild.1`, 'v1.20.5-eksbuild.1', '1.20.5', true, false],
    [`${ECR}:v1.23.0`, 'v1.23.0', '1.23.0', true, false],
    ['amazon/amazon-k8s-cni:v1.11.4', 'v1.11.4', '1.11.4', false, true],
    [`${ECR}:v2.0.0`, 'v2.0.0', '2.0.0', true, false],
    ['localhost:5000/amazon-k8s-cni:v1.20.1', 'v1.20.1', '1.20.1', true, true],
  ])('%s', (image, tag, version, sets, upgrade) => {
    expect(assessAwsNodeImage(image)).toEqual({ image, tag, version, setsHostVethMac: sets, recommendUpgrade: upgrade });
  });

  it('treats a real pre-release as before its release', () => {
    expect(assessAwsNodeImage(`${ECR}:v1.20.1-rc1`)).toMatchObject({ version: '1.20.1', setsHostVethMac: false, recommendUpgrade: true });
    expect(assessAwsNodeImage(`${ECR}:v1.20.5-rc.2`)).toMatchObject({ setsHostVethMac: true, recommendUpgrade: true });
  });

  it('says unknown for tags that are not versions and digest-only references', () => {
    expect(assessAwsNodeImage(`${ECR}:latest`)).toEqual({ image: `${ECR}:latest`, tag: 'latest', version: null, setsHostVethMac: null, recommendUpgrade: null });
    const digest = `${ECR}@sha256:${'a'.repeat(64)}`;
    expect(assessAwsNodeImage(digest)).toMatchObject({ tag: null, version: null, setsHostVethMac: null });
    expect(imageTag(`${ECR}:v1.19.2@sha256:${'b'.repeat(64)}`)).toBe('v1.19.2');
    expect(imageTag('localhost:5000/cni')).toBeNull();
    expect(parseSemver('1.2')).toBeNull();
  });
});
