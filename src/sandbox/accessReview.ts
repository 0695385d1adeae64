// SelfSubjectAccessReview (`kubectl auth can-i`, the extension's permission checks): answered from the sandbox's
// own RBAC policy in auth.ts, with the 422 kube-apiserver gives a review that names neither kind of attributes.
import { authorize, type Attributes, type SandboxUser } from './auth.js';
import { ApiError } from './status.js';

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

export function selfSubjectAccessReview(user: SandboxUser, body: unknown): object {
  const spec = (
    body as { spec?: { resourceAttributes?: Partial<Attributes>; nonResourceAttributes?: object } } | undefined
  )?.spec;
  if (!spec || (!spec.resourceAttributes && !spec.nonResourceAttributes)) {
    throw new ApiError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
      { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' },
    );
  }
  let allowed = true;
  if (spec.resourceAttributes) {
    const a = spec.resourceAttributes;
    allowed = authorize(user, {
      verb: a.verb ?? '',
      group: a.group ?? '',
      resource: a.resource ?? '',
      subresource: a.subresource ?? '',
      namespace: a.namespace,
      name: a.name,
    });
  }
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: allowed ? { allowed: true, reason: 'allowed by the OKG sandbox policy' } : { allowed: false },
  };
}
