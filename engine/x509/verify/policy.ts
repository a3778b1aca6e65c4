// Certificate policy processing (RFC 5280 6.1.2 (a), (d)-(f), (i)-(j); 6.1.3 (d)-(f); 6.1.4 (a)-(j); 6.1.5),
// done as OpenSSL 3.0 does it (crypto/x509/pcy_tree.c, pcy_cache.c, pcy_map.c, pcy_node.c), so the verdicts and
// codes agree with `openssl verify -policy_check / -explicit_policy / -policy / -inhibit_any / -inhibit_map`:
// the valid_policy_tree has one level per certificate below the anchor; each node keeps its data (valid policy,
// whether it was mapped, the expected set), its parent and its number of children.
// Bounded as OpenSSL since CVE-2023-0464: at most 1000 nodes; past that OpenSSL gives up with an internal error
// (X509_V_ERR_OUT_OF_MEM, printed as "malloc failure"), and so do we, with an explanation.
import type { VCert } from './cert';
import { extras, OID } from './cert-extras';

export const POLICY_NODES_MAX = 1000;

export interface PolicyOptions {
  /** The user-initial-policy-set (-policy, repeatable); empty or absent: none given. */
  policies?: string[];
  /** initial-explicit-policy (-explicit_policy). */
  explicit?: boolean;
  /** initial-any-policy-inhibit (-inhibit_any). */
  inhibitAny?: boolean;
  /** initial-policy-mapping-inhibit (-inhibit_map). */
  inhibitMap?: boolean;
}

export interface PolicyReport {
  result: 'valid' | 'no-explicit-policy' | 'invalid-extension' | 'too-complex';
  /** Whether an explicit policy was required (by the options or a policyConstraints extension). */
  explicitRequired: boolean;
  /** Depth of the certificate whose policyConstraints made it required, if one did. */
  requiredBy?: number;
  /** The authority-constrained policy set: the valid policies at the end ('anyPolicy' possible). */
  authority: string[];
  /** The user-constrained set, when -policy was given. */
  user: string[];
  /** Depth (leaf = 0) of the certificate after which the tree was empty, if it became empty. */
  emptiedAt?: number;
  /** Why it became empty there. */
  emptiedBecause?: 'no-policies' | 'mapping-inhibited' | 'any-inhibited' | 'no-match';
  /** For INVALID: the certificate and the reason. */
  invalid?: { depth: number; reason: string };
  nodes: number;
  /** A sentence per certificate, top down, for the explanation. */
  trace: string[];
}

interface Data {
  oid: string;
  /** POLICY_DATA_FLAG_MAPPED / MAPPED_ANY. */
  mapped?: 'mapped' | 'mapped-any';
  expected: string[];
}

interface Cache {
  data: Data[];
  any?: Data;
  explicitSkip: number;
  mapSkip: number;
  anySkip: number;
  invalid?: string;
}

interface PNode {
  data: Data;
  parent?: PNode;
  nchild: number;
}

interface Level {
  nodes: PNode[];
  any?: PNode;
  inhibitAny: boolean;
  inhibitMap: boolean;
  cert?: VCert;
  depth: number;
}

class TooComplex extends Error {}

function cacheOf(c: VCert): Cache {
  const p = extras(c).policy;
  const cache: Cache = { data: [], explicitSkip: p.requireExplicitPolicy ?? -1, mapSkip: p.inhibitPolicyMapping ?? -1, anySkip: p.inhibitAnyPolicy ?? -1 };
  if (p.invalid) cache.invalid = p.invalid;
  for (const oid of p.policies ?? []) {
    if (oid === OID.anyPolicy) cache.any = { oid, expected: [] };
    else cache.data.push({ oid, expected: [] });
  }
  // pcy_map.c: a mapping of a policy the certificate lists marks it mapped; of one it does not, with anyPolicy
  // present, adds it (from anyPolicy); otherwise the mapping is ignored.
  for (const m of p.mappings ?? []) {
    let d = cache.data.find((x) => x.oid === m.issuer);
    if (!d) {
      if (!cache.any) continue;
      d = { oid: m.issuer, mapped: 'mapped-any', expected: [] };
      cache.data.push(d);
    } else if (!d.mapped) d.mapped = 'mapped';
    d.expected.push(m.subject);
  }
  cache.data.sort((a, b) => cmpOid(a.oid, b.oid));
  return cache;
}

function cmpOid(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

function selfIssued(c: VCert): boolean {
  return c.subjectKey === c.issuerKey;
}

/** Runs OpenSSL's X509_policy_check over a path (leaf first, anchor last). */
export function checkPolicies(certs: VCert[], opts: PolicyOptions): PolicyReport {
  const n = certs.length - 1; // RFC 5280 paths leave out the trust anchor
  const report: PolicyReport = { result: 'valid', explicitRequired: false, authority: [], user: [], nodes: 0, trace: [] };
  if (n <= 0) return report;
  const caches = certs.slice(0, n).map(cacheOf);

  // tree_init: invalid extensions, the explicit_policy count-down, and whether any certificate has no policies.
  let explicit = opts.explicit ? 0 : n + 1;
  let empty = false;
  let loweredBy: number | undefined;
  for (let i = n - 1; i >= 0 && (explicit > 0 || !empty); i--) {
    const c = certs[i]!;
    const cache = caches[i]!;
    if (cache.invalid) {
      report.result = 'invalid-extension';
      report.invalid = { depth: i, reason: cache.invalid };
      report.trace.push(`depth ${i} "${c.label}": ${cache.invalid}.`);
      return report;
    }
    if (!empty && cache.data.length === 0 && !cache.any) {
      empty = true;
      report.emptiedAt = i;
      report.emptiedBecause = 'no-policies';
    }
    if (explicit > 0) {
      if (!selfIssued(c)) explicit--;
      if (cache.explicitSkip >= 0 && cache.explicitSkip < explicit) {
        explicit = cache.explicitSkip;
        loweredBy = i;
      }
    }
  }
  report.explicitRequired = explicit === 0;
  if (report.explicitRequired && !opts.explicit && loweredBy !== undefined) report.requiredBy = loweredBy;
  if (empty) {
    report.trace.push(`depth ${report.emptiedAt} "${certs[report.emptiedAt!]!.label}" has no certificatePolicies: the valid policy tree is empty from there on (RFC 5280 6.1.3 (e)).`);
    if (report.explicitRequired) report.result = 'no-explicit-policy';
    return report;
  }

  // The tree: level 0 for the anchor (anyPolicy), then one level per certificate, top down.
  let count = 0;
  const addNode = (level: Level | undefined, data: Data, parent: PNode | undefined): PNode => {
    if (count >= POLICY_NODES_MAX) throw new TooComplex();
    const node: PNode = { data, ...(parent ? { parent } : {}), nchild: 0 };
    if (level) {
      if (data.oid === OID.anyPolicy) level.any = node;
      else level.nodes.push(node);
    }
    count++;
    if (parent) parent.nchild++;
    return node;
  };
  const levels: Level[] = [{ nodes: [], inhibitAny: false, inhibitMap: false, depth: n }];
  let anySkip = opts.inhibitAny ? 0 : n + 1;
  let mapSkip = opts.inhibitMap ? 0 : n + 1;
  try {
    addNode(levels[0], { oid: OID.anyPolicy, expected: [] }, undefined);
    for (let i = n - 1; i >= 0; i--) {
      const c = certs[i]!;
      const cache = caches[i]!;
      const level: Level = { nodes: [], inhibitAny: !cache.any, inhibitMap: false, cert: c, depth: i };
      if (anySkip === 0) {
        // anyPolicy still counts for a self-issued intermediate (RFC 5280 6.1.3 (d)(2)).
        if (!selfIssued(c) || i === 0) level.inhibitAny = true;
      } else {
        if (!selfIssued(c)) anySkip--;
        if (cache.anySkip >= 0 && cache.anySkip < anySkip) anySkip = cache.anySkip;
      }
      if (mapSkip === 0) level.inhibitMap = true;
      else {
        if (!selfIssued(c)) mapSkip--;
        if (cache.mapSkip >= 0 && cache.mapSkip < mapSkip) mapSkip = cache.mapSkip;
      }
      levels.push(level);
    }

    // tree_evaluate
    for (let k = 1; k <= n; k++) {
      const curr = levels[k]!;
      const last = levels[k - 1]!;
      const cache = caches[curr.depth]!;
      const match = (node: PNode, oid: string) =>
        last.inhibitMap || !node.data.mapped ? node.data.oid === oid : node.data.expected.includes(oid);
      // 6.1.3 (d)(1): each policy of the certificate under every parent expecting it, else under anyPolicy.
      for (const d of cache.data) {
        let matched = false;
        for (const node of last.nodes) if (match(node, d.oid)) { addNode(curr, d, node); matched = true; }
        if (!matched && last.any) addNode(curr, d, last.any);
      }
      if (!curr.inhibitAny) {
        // 6.1.3 (d)(2): with anyPolicy in the certificate, every parent expectation not yet met gets a child.
        for (const node of [...last.nodes]) {
          if (last.inhibitMap || node.data.mapped !== 'mapped') {
            if (node.nchild) continue;
            addNode(curr, { oid: node.data.oid, expected: [] }, node);
          } else {
            if (node.nchild === node.data.expected.length) continue;
            for (const oid of node.data.expected) {
              if (curr.nodes.some((x) => x.parent === node && x.data.oid === oid)) continue;
              addNode(curr, { oid, expected: [] }, node);
            }
          }
        }
        if (last.any) addNode(curr, cache.any!, last.any);
      }
      // tree_prune: with mapping inhibited, mapped policies go (6.1.4 (b)(2)); then childless nodes above.
      const before = curr.nodes.length;
      if (curr.inhibitMap) curr.nodes = curr.nodes.filter((x) => {
        if (!x.data.mapped) return true;
        x.parent!.nchild--;
        return false;
      });
      for (let u = k - 1; u >= 0; u--) {
        const lv = levels[u]!;
        lv.nodes = lv.nodes.filter((x) => {
          if (x.nchild) return true;
          if (x.parent) x.parent.nchild--;
          return false;
        });
        if (lv.any && !lv.any.nchild) {
          if (lv.any.parent) lv.any.parent.nchild--;
          delete lv.any;
        }
      }
      const c = certs[curr.depth]!;
      const listed = [...(cache.any ? ['anyPolicy'] : []), ...cache.data.filter((d) => d.mapped !== 'mapped-any').map((d) => d.oid)];
      const maps = extras(c).policy.mappings ?? [];
      report.trace.push(`depth ${curr.depth} "${c.label}": policies ${listed.join(', ') || 'none'}${maps.length ? `; maps ${maps.map((m) => `${m.issuer} -> ${m.subject}`).join(', ')}${curr.inhibitMap ? ' (mapping inhibited: mapped policies dropped)' : ''}` : ''}${cache.any && curr.inhibitAny ? ' (anyPolicy inhibited)' : ''}; valid here: ${[...(curr.any ? ['anyPolicy'] : []), ...curr.nodes.map((x) => x.data.oid)].join(', ') || 'none'}.`);
      if (!levels[0]!.any) {
        report.emptiedAt = curr.depth;
        report.emptiedBecause = curr.nodes.length < before ? 'mapping-inhibited' : cache.any && curr.inhibitAny ? 'any-inhibited' : 'no-match';
        report.nodes = count;
        if (report.explicitRequired) report.result = 'no-explicit-policy';
        return report;
      }
    }

    // tree_calculate_authority_set
    const lastLevel = levels[n]!;
    const auth: PNode[] = [];
    const pnodes: PNode[] = [];
    const addTo = lastLevel.any ? pnodes : auth;
    if (lastLevel.any) auth.push(lastLevel.any);
    for (let k = 1; k <= n; k++) {
      const anyptr = levels[k - 1]!.any;
      if (!anyptr) break;
      for (const node of levels[k]!.nodes) if (node.parent === anyptr && !addTo.some((x) => x.data.oid === node.data.oid)) addTo.push(node);
    }
    const authNodes = lastLevel.any ? pnodes : auth;
    report.authority = [...(lastLevel.any ? ['anyPolicy'] : []), ...authNodes.map((x) => x.data.oid)];

    // tree_calculate_user_set
    const wanted = opts.policies ?? [];
    let user: string[] | undefined;
    if (wanted.length) {
      if (wanted.includes(OID.anyPolicy)) user = auth.map((x) => (x.data.oid === OID.anyPolicy ? 'anyPolicy' : x.data.oid));
      else {
        user = [];
        for (const oid of wanted) {
          if (authNodes.some((x) => x.data.oid === oid)) user.push(oid);
          else if (lastLevel.any) {
            addNode(undefined, { oid, expected: [] }, lastLevel.any.parent);
            user.push(oid);
          }
        }
      }
    }
    report.user = user ?? [];
    report.nodes = count;
    if (report.explicitRequired && !(user && user.length)) report.result = 'no-explicit-policy';
  } catch (e) {
    if (!(e instanceof TooComplex)) throw e;
    report.result = 'too-complex';
    report.nodes = count;
    report.trace.push(`the valid policy tree reached ${POLICY_NODES_MAX} nodes; processing stopped there (OpenSSL's limit since CVE-2023-0464).`);
  }
  return report;
}
