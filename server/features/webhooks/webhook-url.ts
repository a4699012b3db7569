import { BlockList, isIP } from 'node:net';

// Where a webhook may point. A webhook is a request our server makes on
// someone's behalf, so it must not become a way into the server's own
// network: https only (http only to a loopback address, for testing on one
// machine); private and link-local addresses refused unless
// WEBHOOK_ALLOW_PRIVATE=1 (link-local and unspecified ones always, as they
// hold cloud metadata services). Names are checked again on every delivery,
// on the address they resolve to then (webhook-post.ts), so a name that
// later points inside is refused too.

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['198.18.0.0', 15],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');

const NEVER = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['169.254.0.0', 16],
  ['224.0.0.0', 3],
] as const)
  NEVER.addSubnet(net, bits, 'ipv4');
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addSubnet('ff00::', 8, 'ipv6');

export type AddressKind = 'loopback' | 'private' | 'never' | 'public';

/** The kind of an IP address (IPv4-mapped IPv6 addresses as their IPv4 one). */
export function addressKind(ip: string): AddressKind {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const address = mapped ?? ip;
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (LOOPBACK.check(address, family)) return 'loopback';
  if (NEVER.check(address, family)) return 'never';
  if (PRIVATE.check(address, family)) return 'private';
  return 'public';
}

/** Whether a resolved address may be called: loopback only when named as such (see checkWebhookUrl). */
export function addressAllowed(ip: string, allowPrivate: boolean): boolean {
  const kind = addressKind(ip);
  return kind === 'public' || (allowPrivate && (kind === 'private' || kind === 'loopback'));
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: { en: string; vi: string } };

const refuse = (en: string, vi: string): UrlCheck => ({ ok: false, reason: { en, vi } });

/** The rules on the address as written; the delivery checks what a name resolves to. */
export function checkWebhookUrl(raw: string, { allowPrivate }: { allowPrivate: boolean }): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('Not a URL.', 'Không phải địa chỉ URL.');
  }
  if (url.username || url.password) {
    return refuse(
      'A URL with a user name or password is not accepted.',
      'Không nhận URL có tên đăng nhập hoặc mật khẩu.',
    );
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const kind = isIP(host) ? addressKind(host) : undefined;
  if (url.protocol === 'http:' && kind !== 'loopback') {
    return refuse('Use https (http only to a loopback address).', 'Phải dùng https (http chỉ cho địa chỉ loopback).');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refuse('Use https.', 'Phải dùng https.');
  }
  if (kind === 'never' || (kind === 'private' && !allowPrivate)) {
    return refuse(
      'This address is in a private or reserved range.',
      'Địa chỉ này thuộc dải mạng nội bộ hoặc dành riêng.',
    );
  }
  if (!kind && (host === 'localhost' || host.endsWith('.localhost'))) {
    return refuse(
      'Use a loopback address (127.0.0.1), not a name.',
      'Dùng địa chỉ loopback (127.0.0.1), không dùng tên.',
    );
  }
  return { ok: true, url };
}
