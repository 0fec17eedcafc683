/**
 * Validation of flag and argument values that have a meaning beyond "a string": addresses,
 * versions, values that are really another flag. Each throws UsageError (exit 2) with the flag
 * named, before anything is sent to the cluster.
 */
import { UsageError } from './errors.js';

// Loaded at start (flag parsing): no node:net, no catalogue.
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const isIPv4 = (value: string) => IPV4.test(value);

/** An IPv4 address, dotted quad. Returns it unchanged. */
export function ipv4Value(value: string, flag: string): string {
  if (!isIPv4(value)) throw new UsageError(`invalid IPv4 address "${value}" for ${flag}`);
  return value;
}

/** An IPv4 multicast group address: 224.0.0.0/4 (RFC 5771). Returns it unchanged. */
export function multicastGroupValue(value: string, flag: string): string {
  if (!isIPv4(value)) throw new UsageError(`invalid multicast group "${value}" for ${flag}: expected an IPv4 address such as 239.255.12.42`);
  const first = Number(value.split('.')[0]);
  if (first < 224 || first > 239) throw new UsageError(`invalid multicast group "${value}" for ${flag}: not a multicast address (224.0.0.0/4, such as 239.255.12.42)`);
  return value;
}

/**
 * A flag value that is itself a flag ("-n --output=yaml" gives -n the value "--output=yaml") is
 * almost always a forgotten value: refused, as no name, selector or format mcastctl takes starts
 * with "-". "-o=json" is read as kubectl (pflag) reads a shorthand with "=": json. An empty value
 * ("--node=", "-n=") is refused unless allowEmpty (kubeconfig-style global flags, where kubectl
 * reads empty as unset). Returns the value to use.
 */
export function notFlagLike(value: string, flag: string, options: { allowEmpty?: boolean } = {}): string {
  const text = value.startsWith('=') ? value.slice(1) : value;
  if (/^-[A-Za-z-]/.test(text)) throw new UsageError(`flag needs an argument: ${flag} was given "${text}", which is a flag`);
  if (text === '' && !options.allowEmpty) throw new UsageError(`flag needs a non-empty value: ${flag}`);
  return text;
}
