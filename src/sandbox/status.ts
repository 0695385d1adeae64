// Kubernetes `Status` error bodies, shaped as k8s.io/apimachinery/pkg/api/errors builds them,
// so kubectl and client-node print them as they would print a real cluster's errors.
import type { FieldCause } from './types.js';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error the server turns into a Status response. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
    readonly plainText = false,
  ) {
    super(message);
  }

  body(): StatusBody {
    // Key order as Go marshals metav1.Status: kind, apiVersion, metadata, status, message, reason, details, code.
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** A resource as errors name it: `gameservers.game.kruise.io`, or `pods` for the core group. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });
}

export function conflict(
  gr: GroupResource,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`, {
    name,
    group: gr.group || undefined,
    kind: gr.resource,
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(
  user: string,
  verb: string,
  gr: GroupResource,
  subresource: string,
  namespace: string | undefined,
  name: string | undefined,
): ApiError {
  const resource = subresource ? `${gr.resource}/${subresource}` : gr.resource;
  const target = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  const scope = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
  const message = `${target} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${gr.group}"${scope}`;
  return new ApiError(403, 'Forbidden', message, { name, group: gr.group || undefined, kind: gr.resource });
}

/** `Kind.group "name" is invalid: field: message` (k8s.io/apimachinery/pkg/api/errors NewInvalid). */
export function invalid(kind: string, group: string, name: string, causes: FieldCause[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const parts = causes.map(c => (c.field ? `${c.field}: ${c.message}` : c.message));
  const joined = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
    name,
    group: group || undefined,
    kind,
    causes: causes.map(c => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

/** What kube-apiserver answers when a JSON Patch cannot be applied (handlers/patch.go → NewGenericServerResponse(422)). */
export function patchNotApplicable(message: string): ApiError {
  // kube drops the json-patch text (isUnexpectedResponse=false): details is an empty object.
  void message;
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

/** A request whose handler panicked: server/filters/wrap.go WithPanicRecovery answers with http.Error, plain text. */
export function apiserverPanic(): ApiError {
  return new ApiError(
    500,
    'InternalError',
    'This request caused apiserver to panic. Look in the logs for details.',
    undefined,
    {},
    true,
  );
}

/** Priority-and-fairness rejections are plain text, not a Status (server/filters/priority-and-fairness.go). */
export function tooManyRequests(retryAfterSeconds: number): ApiError {
  return new ApiError(
    429,
    'TooManyRequests',
    'Too many requests, please try again later.',
    undefined,
    { 'Retry-After': String(retryAfterSeconds) },
    true,
  );
}

/** An unknown path: Go's http.NotFound, plain text. */
export function pageNotFound(): ApiError {
  return new ApiError(404, 'NotFound', '404 page not found', undefined, {}, true);
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}

export function serviceUnavailable(message = 'the server is currently unable to handle the request'): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}
