export type IgmpStatus = 'OK' | 'AT LIMIT' | 'OVER LIMIT';

/**
 * A socket holds at most igmp_max_memberships groups (Linux net/ipv4/igmp.c ip_mc_join_group:
 * ENOBUFS past sysctl_igmp_max_memberships): at the limit, the next join fails. Takes the Node's
 * limit, the memberships it holds, the distinct groups its receivers want and the most one Pod
 * wants (null: unknown); returns OVER LIMIT when demand exceeds the limit, AT LIMIT when it reaches it.
 */
export function igmpStatus(limit: number, joined: number, wanted: number | null, maxPerPod: number | null): IgmpStatus {
  if ((wanted ?? 0) > limit || (maxPerPod ?? 0) > limit) return 'OVER LIMIT';
  if (joined >= limit || (wanted ?? 0) >= limit || (maxPerPod ?? 0) >= limit) return 'AT LIMIT';
  return 'OK';
}
