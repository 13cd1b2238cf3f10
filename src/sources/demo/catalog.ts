/**
 * Static tables of the cutover scenario: what Kubernetes release downloads look like (paths, object
 * sizes), where clients are (geography → POP, networks → address blocks) and who they are (user
 * agents). Built once; the scenario only picks from them.
 */
import { Weighted } from './prng.js';

export const BUCKET = 'kubernetes-release';
export const ORIGIN_HOST = 'storage.googleapis.com';
/** Fastly fetches from the bucket through its virtual-hosted name. */
export const FILL_HOST = 'kubernetes-release.storage.googleapis.com';
export const SERVICE_ID = 'k8sDlCdn0cUt0v3rDemo01';
/** Fastly's own network (shield hops and cache fills come from it). */
export const FASTLY_ASN = 54113;

/** One downloadable (or deliberately missing) object. */
export interface CatalogEntry {
  /** Path on dl.k8s.io, e.g. /release/v1.30.8/bin/linux/amd64/kubectl. */
  readonly edgePath: string;
  /** The same object on the legacy URL: /kubernetes-release/release/… */
  readonly originPath: string;
  /** GCS object name (cs_object): release/… */
  readonly object: string;
  /** Body size in bytes; 0 for missing objects. */
  readonly size: number;
  /** True for large binaries (range requests make sense). */
  readonly binary: boolean;
  /** True when the object does not exist (404 at both layers). */
  readonly missing: boolean;
}

/** Latest patch release per minor version (a snapshot; the numbers only need to look right). */
const LATEST_PATCH: ReadonlyArray<readonly [number, number]> = [
  [22, 17], [23, 17], [24, 17], [25, 16], [26, 15], [27, 16], [28, 15], [29, 12], [30, 8], [31, 4],
];
const NEWEST_MINOR = 31;

/** [os, arch, artifact, weight] — linux/amd64 kubectl dominates. */
const PLATFORMS: ReadonlyArray<readonly [string, string, string, number]> = [
  ['linux', 'amd64', 'kubectl', 30], ['linux', 'amd64', 'kubelet', 10], ['linux', 'amd64', 'kubeadm', 10],
  ['linux', 'arm64', 'kubectl', 8], ['linux', 'arm64', 'kubelet', 4], ['linux', 'arm64', 'kubeadm', 3],
  ['darwin', 'arm64', 'kubectl', 9], ['darwin', 'amd64', 'kubectl', 5],
  ['windows', 'amd64', 'kubectl.exe', 6], ['windows', 'amd64', 'kubeadm.exe', 1],
  ['linux', 'ppc64le', 'kubectl', 0.5], ['linux', 's390x', 'kubectl', 0.5],
];

/** Approximate sizes of v1.28 linux/amd64 binaries, in bytes. */
const BASE_SIZE: Record<string, number> = { kubectl: 49_864_704, kubelet: 110_120_960, kubeadm: 50_270_208 };
const ARCH_FACTOR: Record<string, number> = { amd64: 1, arm64: 0.95, ppc64le: 1.01, s390x: 1.06 };
const OS_FACTOR: Record<string, number> = { linux: 1, darwin: 1.02, windows: 1.03 };

function objectSize(minor: number, patch: number, os: string, arch: string, artifact: string): number {
  const base = BASE_SIZE[artifact.replace('.exe', '')]!;
  const f = (1 + 0.015 * (minor - 28)) * ARCH_FACTOR[arch]! * OS_FACTOR[os]!;
  return Math.round(base * f) + patch * 4096;
}

function entry(rel: string, size: number, binary: boolean, missing: boolean): CatalogEntry {
  return { edgePath: `/release/${rel}`, originPath: `/${BUCKET}/release/${rel}`, object: `release/${rel}`, size, binary, missing };
}

/**
 * Binaries with two weightings: clients on the CDN fetch mostly recent releases; clients still on the
 * bucket URL are largely old scripts and pinned CI jobs, so they skew towards older releases.
 */
function buildBinaries(): { edge: Weighted<CatalogEntry>; bypass: Weighted<CatalogEntry> } {
  const edge: Array<[CatalogEntry, number]> = [];
  const bypass: Array<[CatalogEntry, number]> = [];
  for (const [minor, latest] of LATEST_PATCH) {
    const age = NEWEST_MINOR - minor; // 0 = newest
    for (const patch of [0, latest]) {
      const patchWeight = patch === latest ? 3 : 1;
      for (const [os, arch, artifact, w] of PLATFORMS) {
        const e = entry(`v1.${minor}.${patch}/bin/${os}/${arch}/${artifact}`, objectSize(minor, patch, os, arch, artifact), true, false);
        edge.push([e, w * patchWeight * Math.pow(0.7, age)]);
        bypass.push([e, w * patchWeight * Math.pow(0.9, Math.abs(age - 4))]);
      }
    }
  }
  return { edge: new Weighted(edge), bypass: new Weighted(bypass) };
}

const BINARIES = buildBinaries();
export const EDGE_BINARIES = BINARIES.edge;
export const BYPASS_BINARIES = BINARIES.bypass;

/** Small text markers (release channels), e.g. /release/stable.txt ("v1.31.4\n"). */
export const MARKERS = new Weighted<CatalogEntry>([
  [entry('stable.txt', 8, false, false), 8],
  [entry('latest.txt', 15, false, false), 1],
  [entry('stable-1.30.txt', 8, false, false), 1],
  [entry('stable-1.29.txt', 9, false, false), 1],
]);

/** Requests for objects that do not exist: typos, unreleased versions, wrong arch names. */
export const MISSING = new Weighted<CatalogEntry>([
  [entry('v1.31.99/bin/linux/amd64/kubectl', 0, false, true), 3],
  [entry('v1.30.0/bin/linux/x86_64/kubectl', 0, false, true), 3],
  [entry('latest/bin/linux/amd64/kubectl', 0, false, true), 2],
  [entry('v1.28.0/bin/darwin/arm64/kubectl.exe', 0, false, true), 1],
  [entry('v1.29.3/bin/linux/amd64/kubectl.sha256sum', 0, false, true), 1],
]);

/** A client network: ASN, IPv4 first octets it allocates from, an IPv6 /32-ish prefix. */
export interface Network {
  readonly asn: number;
  readonly v4: readonly number[];
  readonly v6: string;
}

// First octets avoid every Fastly block (23, 43, 103, 104, 140, 146, 151, 157, 167, 172, 185, 199).
const NET: Record<string, Network> = {
  aws: { asn: 16509, v4: [3, 18, 52, 54], v6: '2600:1f18' },
  awsEast: { asn: 14618, v4: [44, 54], v6: '2600:1f10' },
  gcp: { asn: 396982, v4: [34, 35], v6: '2600:1900' },
  azure: { asn: 8075, v4: [13, 20, 40], v6: '2603:1030' },
  comcast: { asn: 7922, v4: [24, 73, 98], v6: '2601:18c' },
  verizon: { asn: 701, v4: [71, 108], v6: '2600:1007' },
  digitalocean: { asn: 14061, v4: [64, 134, 159], v6: '2604:a880' },
  hetzner: { asn: 24940, v4: [88, 95, 135], v6: '2a01:4f8' },
  telekom: { asn: 3320, v4: [79, 84, 91], v6: '2003:e6' },
  bt: { asn: 2856, v4: [81, 86, 109], v6: '2a00:23c5' },
  ovh: { asn: 16276, v4: [51, 137, 141], v6: '2001:41d0' },
  kddi: { asn: 2516, v4: [106, 111, 182], v6: '2001:268' },
  ntt: { asn: 4713, v4: [114, 153, 180], v6: '2400:4050' },
  jio: { asn: 55836, v4: [49, 115, 152], v6: '2409:4040' },
  chinanet: { asn: 4134, v4: [58, 116, 183], v6: '240e:3a1' },
  claro: { asn: 28573, v4: [177, 179, 187], v6: '2804:14c' },
  telstra: { asn: 1221, v4: [101, 110, 120], v6: '2001:8003' },
};

/** Where clients are: country, region, the POP that serves them, the networks they come from. */
export interface Geo {
  readonly country: string;
  readonly region: string;
  readonly pop: string;
  readonly networks: readonly Network[];
}

export const GEOS = new Weighted<Geo>([
  [{ country: 'US', region: 'VA', pop: 'IAD', networks: [NET.awsEast!, NET.aws!, NET.azure!, NET.comcast!, NET.verizon!] }, 14],
  [{ country: 'US', region: 'CA', pop: 'SJC', networks: [NET.aws!, NET.gcp!, NET.comcast!, NET.azure!] }, 10],
  [{ country: 'US', region: 'IL', pop: 'CHI', networks: [NET.comcast!, NET.verizon!, NET.azure!] }, 5],
  [{ country: 'US', region: 'TX', pop: 'DFW', networks: [NET.comcast!, NET.digitalocean!, NET.azure!] }, 5],
  [{ country: 'US', region: 'OR', pop: 'SEA', networks: [NET.aws!, NET.gcp!] }, 4],
  [{ country: 'DE', region: 'HE', pop: 'FRA', networks: [NET.hetzner!, NET.telekom!, NET.aws!] }, 7],
  [{ country: 'DE', region: 'BY', pop: 'FRA', networks: [NET.telekom!, NET.hetzner!] }, 3],
  [{ country: 'GB', region: 'ENG', pop: 'LHR', networks: [NET.bt!, NET.aws!, NET.azure!] }, 6],
  [{ country: 'NL', region: 'NH', pop: 'AMS', networks: [NET.digitalocean!, NET.azure!] }, 3],
  [{ country: 'FR', region: 'IDF', pop: 'CDG', networks: [NET.ovh!, NET.gcp!] }, 3],
  [{ country: 'JP', region: '13', pop: 'NRT', networks: [NET.kddi!, NET.ntt!, NET.aws!] }, 6],
  [{ country: 'SG', region: '01', pop: 'SIN', networks: [NET.aws!, NET.digitalocean!] }, 3],
  [{ country: 'IN', region: 'MH', pop: 'BOM', networks: [NET.jio!, NET.aws!] }, 5],
  [{ country: 'CN', region: 'SH', pop: 'HKG', networks: [NET.chinanet!] }, 3],
  [{ country: 'BR', region: 'SP', pop: 'GRU', networks: [NET.claro!, NET.aws!] }, 3],
  [{ country: 'AU', region: 'NSW', pop: 'SYD', networks: [NET.telstra!, NET.aws!] }, 3],
]);

/** The shield POP each edge POP fetches through (shield hops are logged there with is_edge false). */
export const SHIELD_OF: Record<string, string> = {
  IAD: 'IAD', SJC: 'IAD', CHI: 'IAD', DFW: 'IAD', SEA: 'IAD', GRU: 'IAD',
  FRA: 'FRA', LHR: 'FRA', AMS: 'FRA', CDG: 'FRA',
  NRT: 'NRT', SIN: 'NRT', BOM: 'NRT', HKG: 'NRT', SYD: 'NRT',
};

/** A few cache node names per POP, Fastly-style: cache-iad-kiad7000123. */
export const NODES: Record<string, readonly string[]> = Object.fromEntries(
  Object.keys(SHIELD_OF).map((pop) => {
    const p = pop.toLowerCase();
    return [pop, Array.from({ length: 6 }, (_, i) => `cache-${p}-k${p}${7000040 + i * 37}`)];
  }),
);

/** Fastly's published blocks the fills and shield hops come from (a subset of config/fastly-public-ip-list.json). */
export const FASTLY_V4_BLOCKS: ReadonlyArray<readonly [number, number, number]> = [
  // [first octet, second octet, weight]: 151.101.0.0/16 and 199.232.0.0/16
  [151, 101, 7], [199, 232, 3],
];
export const FASTLY_V6_PREFIX = '2a04:4e42';

/** A user agent and the referer it tends to send. */
export interface Agent {
  readonly ua: string;
  readonly referers: readonly string[];
}

const none = [''] as const;
const web = ['https://kubernetes.io/', 'https://kubernetes.io/docs/tasks/tools/', 'https://github.com/kubernetes/kubernetes/releases', ''] as const;

const A = {
  curl8: { ua: 'curl/8.5.0', referers: none },
  curl781: { ua: 'curl/7.81.0', referers: none },
  curl768: { ua: 'curl/7.68.0', referers: none },
  wget: { ua: 'Wget/1.21.2', referers: none },
  kubectl: { ua: 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350', referers: none },
  go11: { ua: 'Go-http-client/1.1', referers: none },
  go20: { ua: 'Go-http-client/2.0', referers: none },
  python: { ua: 'python-requests/2.31.0', referers: none },
  toolCache: { ua: 'actions/tool-cache', referers: none },
  ghRunner: { ua: 'GitHub-Actions-Runner/2.316.1 curl/8.5.0', referers: none },
  gitlab: { ua: 'gitlab-runner 16.11.0 (16-11-stable; go1.21.9; linux/amd64)', referers: none },
  ansible: { ua: 'ansible-httpget', referers: none },
  terraform: { ua: 'HashiCorp Terraform/1.8.2 (+https://www.terraform.io)', referers: none },
  homebrew: { ua: 'Homebrew/4.2.21 (Macintosh; arm64 Mac OS X 14.4.1) curl/8.4.0', referers: none },
  aria2: { ua: 'aria2/1.37.0', referers: none },
  chrome: { ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', referers: web },
  safari: { ua: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15', referers: web },
  firefox: { ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0', referers: web },
  googlebot: { ua: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', referers: none },
  bingbot: { ua: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', referers: none },
  ahrefs: { ua: 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)', referers: none },
} satisfies Record<string, Agent>;

/** Clients on the CDN: a broad mix. */
export const EDGE_AGENTS = new Weighted<Agent>([
  [A.curl8, 12], [A.curl781, 10], [A.curl768, 4], [A.wget, 4], [A.kubectl, 3], [A.go11, 8], [A.go20, 5],
  [A.python, 3], [A.toolCache, 10], [A.ghRunner, 4], [A.gitlab, 2], [A.ansible, 2], [A.terraform, 1],
  [A.homebrew, 3], [A.aria2, 1], [A.chrome, 6], [A.safari, 2], [A.firefox, 2], [A.googlebot, 1],
  [A.bingbot, 1], [A.ahrefs, 0.5],
]);

/** Clients still on the bucket URL: mostly automation that hard-codes the old URL. */
export const BYPASS_AGENTS = new Weighted<Agent>([
  [A.curl781, 14], [A.curl768, 11], [A.curl8, 4], [A.wget, 8], [A.go11, 10], [A.python, 5],
  [A.toolCache, 16], [A.ghRunner, 4], [A.gitlab, 4], [A.ansible, 6], [A.terraform, 2], [A.homebrew, 1],
  [A.chrome, 2], [A.firefox, 1], [A.googlebot, 1], [A.bingbot, 1],
]);

export const PROTOCOLS = new Weighted<string>([['HTTP/2', 60], ['HTTP/1.1', 35], ['HTTP/3', 5]]);
export const TLS_VERSIONS = new Weighted<string>([['TLSv1.3', 85], ['TLSv1.2', 15]]);
