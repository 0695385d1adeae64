// Shared shapes of the sandbox cluster: plain Kubernetes JSON objects as the API server stores them.

/** Any Kubernetes object as JSON. The sandbox never mutates a stored object in place. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [field: string]: unknown;
}

/** One field problem, as kube-apiserver reports it in Status.details.causes. */
export interface FieldCause {
  reason: string; // FieldValueInvalid, FieldValueRequired, FieldValueNotSupported, ...
  message: string;
  field: string;
}
