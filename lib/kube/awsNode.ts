import 'server-only';

/** First Amazon VPC CNI release that sets the host veth's MAC itself, so udev leaves it alone (PR #3354). */
export const CNI_FIX_VERSION = '1.20.1';
/** Release we recommend: also has the LinkList retry fix (#3440) for the v1.20.2 regression. */
export const CNI_RECOMMENDED_VERSION = '1.20.5';

export interface AwsNodeInfo {
  image: string;
  /** The image tag, e.g. "v1.19.2-eksbuild.1"; null for a digest-only reference. */
  tag: string | null;
  /** "1.19.2"; null when the tag is not a version. */
  version: string | null;
  /** Whether this CNI sets the host veth MAC (>= 1.20.1); null when the version is unknown. */
  setsHostVethMac: boolean | null;
  /** Whether to recommend upgrading (< 1.20.5); null when the version is unknown. */
  recommendUpgrade: boolean | null;
}

interface Semver {
  major: number;
  minor: number;
  patch: number;
  /** A real pre-release (rc, beta); EKS's "-eksbuild.N" is a build of the release and is not one. */
  prerelease: boolean;
}

export function parseSemver(v: string): Semver | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(v.trim());
  if (!m) return null;
  const pre = m[4];
  return { major: +m[1], minor: +m[2], patch: +m[3], prerelease: pre !== undefined && !/^eksbuild\.\d+$/.test(pre) };
}

/** Negative when a < b, as semver orders them (a pre-release sorts before its release). */
export function compareSemver(a: Semver, b: Semver): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || Number(b.prerelease) - Number(a.prerelease);
}

/** The tag of an image reference: after the last ':' of the last path segment, ignoring any @digest. */
export function imageTag(image: string): string | null {
  const noDigest = image.split('@')[0];
  const lastSegment = noDigest.slice(noDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 && colon < lastSegment.length - 1 ? lastSegment.slice(colon + 1) : null;
}

export function assessAwsNodeImage(image: string): AwsNodeInfo {
  const tag = imageTag(image);
  const parsed = tag ? parseSemver(tag) : null;
  if (!parsed) return { image, tag, version: null, setsHostVethMac: null, recommendUpgrade: null };
  return {
    image,
    tag,
    version: `${parsed.major}.${parsed.minor}.${parsed.patch}`,
    setsHostVethMac: compareSemver(parsed, parseSemver(CNI_FIX_VERSION)!) >= 0,
    recommendUpgrade: compareSemver(parsed, parseSemver(CNI_RECOMMENDED_VERSION)!) < 0,
  };
}
