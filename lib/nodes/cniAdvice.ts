// One wording of the Amazon VPC CNI advice, so the drop-in comment, the plan, the verdicts and the docs agree:
// v1.20.1 fixed the fault (the CNI sets the host veth MAC itself, so udev leaves it alone), but v1.20.1-v1.20.4
// can fail pod creation under netlink churn (fixed in v1.20.5), so v1.20.5+ is what we recommend. Client-safe.
export const CNI_FIXED_IN = '1.20.1';
export const CNI_RECOMMENDED = '1.20.5';

export const CNI_ADVICE =
  `Upgrade the Amazon VPC CNI to v${CNI_RECOMMENDED} or later. v${CNI_FIXED_IN} fixed this (it sets the host veth MAC itself, so udev leaves it alone), ` +
  `but v${CNI_FIXED_IN}-v1.20.4 can fail pod creation under netlink churn.`;

/** For a cluster already on a fixing but not recommended CNI. */
export const CNI_UPGRADE_NOTE = `Upgrade to v${CNI_RECOMMENDED}+: v${CNI_FIXED_IN}-v1.20.4 can fail pod creation under netlink churn.`;
