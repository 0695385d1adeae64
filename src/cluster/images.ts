// Container image references: validation (the distribution reference grammar) and normalisation, so
// `nginx:1.2`, `docker.io/library/nginx:1.2` and a runtime-reported digest form compare as they should.
import { clip } from './clip.js';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN =
  '(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?';
const REFERENCE = new RegExp(
  `^(?:(${DOMAIN})/)?(${COMPONENT}(?:/${COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

// A fleet runs a handful of images: parsing each once spares the regex per room per render (bounded, so odd
// input cannot grow it without limit). Callers treat the result as read-only.
const parsed = new Map<string, Readonly<ImageRef> | string>();

/** Parses an image reference, or returns a one-line reason why it is not one. */
export function parseImage(ref: string): Readonly<ImageRef> | string {
  let p = parsed.get(ref);
  if (p === undefined) {
    if (parsed.size >= 1024) parsed.clear();
    p = parseUncached(ref);
    parsed.set(ref, p);
  }
  return p;
}

function parseUncached(ref: string): ImageRef | string {
  if (!ref) return 'the image is empty';
  // The reference is echoed cut (a pasted block of text stays a one-line reason).
  const shown = clip(ref);
  if (ref.length > 4096) return 'the image reference is longer than 4096 characters';
  if (/\s/.test(ref)) return `"${shown}" contains white space`;
  const m = REFERENCE.exec(ref);
  if (!m) return `"${shown}" is not a valid image reference (expected e.g. registry.example.com/team/game:1.2.3)`;
  let [, domain, repository] = m;
  const [, , , tag, digest] = m;
  // A first component without a dot, colon or "localhost" is a Docker Hub namespace, not a registry.
  if (domain && !/[.:]/.test(domain) && domain !== 'localhost') {
    if (domain.toLowerCase() !== domain)
      return `"${shown}" is not a valid image reference: repository names must be lowercase`;
    repository = `${domain}/${repository}`;
    domain = undefined as unknown as string;
  }
  if (repository.length > 255) return `"${shown}" has a repository name longer than 255 characters`;
  const registry = domain ?? 'docker.io';
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** The canonical text of a reference (`docker.io/library/nginx:latest`), or the input when it does not parse. */
export function normalizeImage(ref: string): string {
  const p = parseImage(ref);
  if (typeof p === 'string') return ref;
  return `${p.registry}/${p.repository}${p.tag ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/**
 * Whether two references name the same image: same registry and repository, and the same digest when
 * both have one, else the same tag (`repo:tag@sha256:…` as runtimes report it matches `repo:tag`).
 * A digest-only reference against a tag-only one cannot be decided and counts as different.
 */
export function sameImage(a: string, b: string): boolean {
  const x = parseImage(a),
    y = parseImage(b);
  if (typeof x === 'string' || typeof y === 'string') return a === b;
  if (x.registry !== y.registry || x.repository !== y.repository) return false;
  if (x.digest && y.digest) return x.digest === y.digest;
  return x.tag !== undefined && x.tag === y.tag;
}

/** The tag (or short digest) for compact display: `1.12.2-new`. */
export function imageTag(ref: string): string {
  const p = parseImage(ref);
  if (typeof p === 'string') return ref;
  return p.tag ?? (p.digest ? p.digest.slice(0, 19) : 'latest');
}
