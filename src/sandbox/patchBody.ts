// PATCH bodies: which content types a resource accepts (strategic merge for built-in kinds only, no server-side
// apply in the sandbox) and applying a JSON Patch or merge patch with the errors kube-apiserver answers them with.
import type { KubeObject } from './types.js';
import type { ResourceDef } from './resources.js';
import { ApiError, apiserverPanic, badRequest, patchNotApplicable, unsupportedMediaType } from './status.js';
import { applyJsonPatch, JsonPatchError } from './jsonpatch.js';
import { applyMergePatch, mergePatchDecodeError } from './mergepatch.js';

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];
const STRATEGIC = 'application/strategic-merge-patch+json';
/** As the apiserver lists them for a built-in kind (strategic merge third). */
const BUILTIN_PATCH_TYPES = [PATCH_TYPES[0], PATCH_TYPES[1], STRATEGIC, PATCH_TYPES[2]];

/** The patch type a Content-Type names, or a 415 listing the types this resource accepts. */
export function patchTypeOf(res: ResourceDef, contentType: string): string {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const strategicAllowed = !res.schema && (res.kind === 'Pod' || res.kind === 'Namespace');
  if (!PATCH_TYPES.includes(type) && !(strategicAllowed && type === STRATEGIC)) {
    throw unsupportedMediaType(strategicAllowed ? BUILTIN_PATCH_TYPES : PATCH_TYPES);
  }
  if (type === 'application/apply-patch+yaml') {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      'server-side apply is not supported by the OKG sandbox; use kubectl apply without --server-side, or a merge patch',
    );
  }
  return type;
}

/** `old` with the patch applied (a new value; `old` is not changed). */
export function applyPatchBody(type: string, old: KubeObject, body: unknown): unknown {
  if (type === 'application/json-patch+json') {
    try {
      return applyJsonPatch(old, body);
    } catch (e) {
      if (e instanceof JsonPatchError) {
        throw e.kind === 'malformed'
          ? badRequest(e.message)
          : e.kind === 'panic'
            ? apiserverPanic()
            : patchNotApplicable(e.message);
      }
      throw e;
    }
  }
  if (body === undefined) throw badRequest('json: cannot unmarshal the patch into a JSON object');
  const refused = mergePatchDecodeError(body);
  if (refused !== undefined) throw badRequest(refused);
  return applyMergePatch(old, body);
}
