// What kube-apiserver checks on a request body before it stores it: the type meta (kind, apiVersion, metadata),
// the object's name (RFC 1123), and for custom resources the CRD schema (defaulting, pruning, validation) and
// apiextensions' scale bounds. Each check throws the apiserver's Status error; none touches the store.
import type { FieldCause, KubeObject } from './types.js';
import { namespaces, type ResourceDef } from './resources.js';
import { badRequest, invalid } from './status.js';
import type { JSONSchemaProps } from './schema/props.js';
import { validateObject } from './schema/validation.js';
import { pruneOwned } from './schema/pruning.js';
import { applyDefaults } from './schema/defaulting.js';
import { evalJsonPath } from './jsonpath.js';
import { isRecord } from './json.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateName(res: ResourceDef, name: string): void {
  const re = res === namespaces ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (name.length <= (res === namespaces ? 63 : 253) && re.test(name)) return;
  const message =
    res === namespaces
      ? `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`
      : `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  throw invalid(res.kind, res.group, name, [{ reason: 'FieldValueInvalid', field: 'metadata.name', message }]);
}

/** Defaults, prunes and validates a custom resource against its CRD schema (422 with the causes). */
export function conform(res: ResourceDef, obj: KubeObject): KubeObject {
  if (!res.schema) {
    // A schemaless CRD (the Advanced StatefulSet) still gets apiextensions' scale checks.
    const causes = scaleCauses(res, obj);
    if (causes.length) throw invalid(res.kind, res.group, obj.metadata.name ?? '', causes);
    return obj;
  }
  const schema = res.schema as JSONSchemaProps;
  // applyDefaults returns a copy; pruning it in place saves a second deep copy of every custom resource written.
  const defaulted = pruneOwned(applyDefaults(obj, schema), schema) as KubeObject;
  const causes = [...validateObject(defaulted, schema), ...scaleCauses(res, defaulted)];
  if (causes.length) throw invalid(res.kind, res.group, obj.metadata.name ?? '', causes);
  return defaulted;
}

/** apiextensions' ValidateScaleSpec/ValidateScaleStatus: field paths keep their leading dot. */
function scaleCauses(res: ResourceDef, obj: KubeObject): FieldCause[] {
  if (!res.scale) return [];
  const out: FieldCause[] = [];
  for (const path of [res.scale.specReplicasPath, res.scale.statusReplicasPath]) {
    const v = evalJsonPath(obj, path);
    if (typeof v === 'number' && Number.isInteger(v)) {
      if (v < 0)
        out.push({
          reason: 'FieldValueInvalid',
          field: path,
          message: `Invalid value: ${v}: should be a non-negative integer`,
        });
      else if (v > 2147483647)
        out.push({
          reason: 'FieldValueInvalid',
          field: path,
          message: `Invalid value: ${v}: should be less than or equal to 2147483647`,
        });
    }
  }
  return out;
}

export function checkTypeMeta(res: ResourceDef, body: unknown): asserts body is KubeObject {
  if (!isRecord(body)) throw badRequest("Object 'Kind' is missing in the request body");
  const gv = res.group ? `${res.group}/${res.version}` : res.version;
  if (
    body.kind !== undefined &&
    body.kind !== res.kind &&
    res.group !== '' &&
    (body.apiVersion === undefined || body.apiVersion === gv)
  ) {
    // A custom resource with another kind is refused by apiextensions' validation, naming the kind sent.
    const name = isRecord(body.metadata) && typeof body.metadata.name === 'string' ? body.metadata.name : '';
    throw invalid(String(body.kind), res.group, name, [
      {
        reason: 'FieldValueInvalid',
        field: 'kind',
        message: `Invalid value: ${JSON.stringify(body.kind)}: must be ${res.kind}`,
      },
    ]);
  }
  if (body.kind !== undefined && body.kind !== res.kind) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
    );
  }
  if (body.apiVersion !== undefined && body.apiVersion !== gv) {
    throw badRequest(
      `the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`,
    );
  }
  if (body.metadata !== undefined && !isRecord(body.metadata)) throw badRequest('metadata must be an object');
}
