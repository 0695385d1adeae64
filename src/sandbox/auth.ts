// Who may do what in the sandbox: bearer tokens for four users and RBAC-like rules, evaluated the
// same way for real requests and for SelfSubjectAccessReview, so a review never disagrees with a write.
import { randomBytes } from 'node:crypto';

export type SandboxUser = 'admin' | 'viewer' | 'operator' | 'controller';

export const SANDBOX_USERS: readonly SandboxUser[] = ['admin', 'viewer', 'operator', 'controller'];

/** The user names as the API server reports them (in 403 messages and reviews). */
export const USER_NAMES: Record<SandboxUser, string> = {
  admin: 'okg-admin',
  viewer: 'okg-viewer',
  operator: 'okg-operator',
  controller: 'system:serviceaccount:kruise-game-system:kruise-game-controller-manager',
};

export interface Rule {
  verbs: string[];
  groups: string[];
  resources: string[];
}
export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace?: string;
  name?: string;
}

const READ = ['get', 'list', 'watch'];

const RULES: Record<SandboxUser, { allow: Rule[]; deny: Rule[] }> = {
  admin: { allow: [{ verbs: ['*'], groups: ['*'], resources: ['*'] }], deny: [] },
  controller: { allow: [{ verbs: ['*'], groups: ['*'], resources: ['*'] }], deny: [] },
  viewer: { allow: [{ verbs: READ, groups: ['*'], resources: ['*'] }], deny: [] },
  // An operator runs rooms but may not change GameServerSets (no image, replicas or scale changes).
  operator: {
    allow: [{ verbs: ['*'], groups: ['*'], resources: ['*'] }],
    deny: [
      {
        verbs: ['patch', 'update', 'delete', 'create', 'deletecollection'],
        groups: ['game.kruise.io'],
        resources: ['gameserversets', 'gameserversets/scale', 'gameserversets/status'],
      },
    ],
  },
};

function matches(rule: Rule, a: Attributes): boolean {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (
    (rule.verbs.includes('*') || rule.verbs.includes(a.verb)) &&
    (rule.groups.includes('*') || rule.groups.includes(a.group)) &&
    (rule.resources.includes('*') || rule.resources.includes(res))
  );
}

export function authorize(user: SandboxUser, a: Attributes): boolean {
  const r = RULES[user];
  if (r.deny.some(rule => matches(rule, a))) return false;
  return r.allow.some(rule => matches(rule, a));
}

/** Fresh random tokens per server, so a kubeconfig from an old sandbox never works against a new one. */
export class TokenTable {
  private readonly byToken = new Map<string, SandboxUser>();
  readonly tokens: Record<SandboxUser, string>;

  constructor() {
    const tokens = {} as Record<SandboxUser, string>;
    for (const u of SANDBOX_USERS) {
      tokens[u] = `okg-sandbox-${u}-${randomBytes(16).toString('hex')}`;
      this.byToken.set(tokens[u], u);
    }
    this.tokens = tokens;
  }

  /** The user of an `Authorization: Bearer …` header, or undefined (→ 401). */
  userOf(authorization: string | undefined): SandboxUser | undefined {
    if (!authorization) return undefined;
    const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return m ? this.byToken.get(m[1]) : undefined;
  }
}
