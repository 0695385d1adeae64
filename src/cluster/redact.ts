// Secrets taken out of text before it becomes a message or a log line: the userinfo of URLs
// (https://user:password@host), secret-named parameters (?token=, access_token=, X-Amz-Signature=),
// Bearer and Authorization values, JWTs, PEM blocks (and their base64 form) and secret-named JSON fields.
// Each becomes "***". Pure string work
// with no imports, so any layer (CLI, extension, webview) may use it.

const MASK = '***';

// The userinfo of a URL: "user:password@" (the password may itself hold "/" or "@": everything up to the
// last "@" of the word goes) or a lone "token@".
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)(?:[^\s/?#@"'<>]*:[^\s"'<>]*|[^\s/?#"'<>]+)@/gi;

// Names of parameters and fields whose value is a secret. A prefix is allowed (csrf_token, client_secret).
const SECRET_NAME = String.raw`[\w-]*(?:token|password|passwd|secret|api[_-]?key|apikey|signature|credential)|pwd|sig|auth`;
// name=value in a query string, a fragment, a cookie or free text (also ?key=, an API key; but not a
// label selector such as app.example.com/key=x, hence the list of what may come before the name).
const PARAM = new RegExp(String.raw`(?<=^|[?&#;,\s"'(])(${SECRET_NAME}|key)=([^&#\s"'<>;,]+)`, 'gi');
// "name": "value" (or a list of strings) in JSON, e.g. a response body or headers echoed in an exception.
const JSON_FIELD = new RegExp(
  String.raw`("(?:${SECRET_NAME}|authorization|proxy-authorization|cookie|set-cookie|client-key-data|client-certificate-data)"\s*:\s*)(?:"(?:[^"\\]|\\.)*"|\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\])`,
  'gi',
);
// An Authorization header written as text: "Authorization: Basic dXNlcjpwYXNz".
const AUTH_HEADER = /\b((?:proxy-)?authorization:\s*)(?:[A-Za-z]+\s+)?[^\s"',;]+/gi;
// The Bearer scheme (capitalised as in a header, so the English word "bearer" stays).
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/g;
// A JSON Web Token (Kubernetes service-account and OIDC tokens are JWTs).
const JWT = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;
// A PEM block (certificate or key), also when cut off before its END line.
const PEM = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?(?:-----END \1-----|$)/g;
// base64 of "-----BEGIN": the client-certificate-data / client-key-data form of a PEM block.
const PEM_BASE64 = /LS0tLS1CRUdJTi[A-Za-z0-9+/=]*/g;

/** The text with every secret this module recognises replaced by "***". Idempotent. */
export function redact(text: string): string {
  return text
    .replace(PEM, (_m, label: string) => `[${label} removed]`)
    .replace(PEM_BASE64, MASK)
    .replace(URL_USERINFO, `$1${MASK}@`)
    .replace(JSON_FIELD, `$1"${MASK}"`)
    .replace(AUTH_HEADER, `$1${MASK}`)
    .replace(BEARER, `Bearer ${MASK}`)
    .replace(JWT, MASK)
    .replace(PARAM, `$1=${MASK}`);
}
