// The bash sources of the exported Argo release's steps (run with bash, kubectl and jq). They read every value
// from environment variables that the WorkflowTemplate maps from its parameters — never from text pasted into the
// source — so one template serves every release of a set. The lease is the engine's own (annotation
// okg-ops/release, see record.ts): `lock` takes it with a write conditional on the annotation (or resourceVersion),
// every later step re-checks it and records its step, every spec write carries a `test` of the record, and
// `record-outcome` (the exit handler) moves the release into the history and frees the lease.
// Exit code 3 is never retried: "refused" (a bad parameter, a lease held by someone else, a lease lost), or new
// rooms that fail in a way that does not heal by itself (the engine's stop early; a retry would only wait again).
import { readyDefinition, readyForPlayersJq } from './readiness.js';
import { CRASH_LOOP_RESTARTS, IMAGE_FAILURES } from './reasons.js';

/** Shared by every step: reading the set, refusing, and holding the lease. */
const PRELUDE = String.raw`set -euo pipefail
A='okg-ops/release'
AP='/metadata/annotations/okg-ops~1release'
refuse() { echo "refused: $*" >&2; exit 3; }
get_set() { kubectl get gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" -o json; }
annotation() { jq -r --arg a "$A" '.metadata.annotations[$a] // ""' <<<"$1"; }
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
# the images the release asks for, as a jq test of a GameServerSet
NEW_IMAGES='. as $s | all($imgs[]; . as $w | any($s.spec.gameServerTemplate.spec.containers[]; .name == $w.container and .image == $w.image))'
# hold STEP: our workflow must hold the lease; record STEP in it (a write that tests the record we read).
# Leaves the set in SET and the record text in RAW.
hold() {
  SET=$(get_set)
  RAW=$(annotation "$SET")
  local who doc=$RAW
  [ -n "$doc" ] || doc=null
  who=$(jq -r --arg me "$WF_UID" 'try (if .current == null then "nobody" elif .current.outcome != null then "nobody (finished)" elif .current.holder.id == $me then "us" else "release \(.current.id) of \(.current.holder.user)@\(.current.holder.host) (pid \(.current.holder.pid))" end) catch "an unreadable record"' <<<"$doc")
  [ "$who" = us ] || refuse "this workflow lost the lease of $NS/$GSS_NAME (held by $who); stopping before $1"
  local next patch
  next=$(jq -c --arg s "$1" --arg t "$(now)" '.current.step = $s | .current.updatedAt = $t' <<<"$RAW")
  patch=$(jq -nc --arg p "$AP" --arg old "$RAW" --arg new "$next" '[{op:"test",path:$p,value:$old},{op:"replace",path:$p,value:$new}]')
  SET=$(kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$patch" -o json)
  RAW=$next
}
# record JQ: apply a jq filter to the record, written with a test of the record held (RAW is updated)
record() {
  local next patch
  next=$(jq -c "$1" <<<"$RAW")
  patch=$(jq -nc --arg p "$AP" --arg old "$RAW" --arg new "$next" '[{op:"test",path:$p,value:$old},{op:"replace",path:$p,value:$new}]')
  SET=$(kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$patch" -o json)
  RAW=$next
}
# guard: the JSON Patch op that keeps a spec write ours (the record is still exactly what we hold)
guard() { jq -nc --arg p "$AP" --arg v "$RAW" '{op:"test",path:$p,value:$v}'; }
# wait_until WHAT CMD…: run CMD every POLL_SECONDS until it succeeds, for at most TIMEOUT seconds
wait_until() {
  local what=$1; shift
  local end=$((SECONDS + TIMEOUT))
  until "$@"; do
    if [ "$SECONDS" -ge "$end" ]; then echo "timed out after $TIMEOUT s waiting for $what" >&2; exit 1; fi
    sleep "$POLL_SECONDS"
  done
}
`;

const LOCK = String.raw`# the parameters, checked before anything is written (a bad one is refused with its reason)
name_re='^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'
[[ "$NS" =~ $name_re ]] || refuse "namespace \"$NS\" is not a Kubernetes name"
[[ "$GSS_NAME" =~ ^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$ ]] || refuse "game-server-set \"$GSS_NAME\" is not a Kubernetes name"
[[ "$ADD" =~ ^[1-9][0-9]{0,4}$ ]] || refuse "add must be a whole number of rooms from 1, got \"$ADD\""
[[ "$READY" =~ ^[0-9]{1,5}$ ]] && [ "$READY" -le "$ADD" ] || refuse "ready must be a whole number from 0 to add ($ADD), got \"$READY\""
case "$RECLAIM" in none|scale-down|kill) ;; *) refuse "reclaim must be none, scale-down or kill, got \"$RECLAIM\"" ;; esac
[[ "$SETTLE" =~ ^[0-9]{1,3}(\.[0-9]{1,3})?$ ]] && [ "${'$'}{SETTLE%.*}" -le 600 ] || refuse "settle must be seconds from 0 to 600, got \"$SETTLE\""
[[ "$TIMEOUT" =~ ^[1-9][0-9]{0,5}$ ]] || refuse "timeout must be whole seconds from 1, got \"$TIMEOUT\""
[[ "$FAIL_FAST" =~ ^[0-9]{1,5}(\.[0-9]{1,3})?$ ]] || refuse "fail-fast must be seconds from 0 (off), got \"$FAIL_FAST\""
[[ "$LEASE_SECONDS" =~ ^[1-9][0-9]{0,6}$ ]] || refuse "lease-seconds must be whole seconds from 1, got \"$LEASE_SECONDS\""
case "$FIX" in true|false) ;; *) refuse "fix-update-strategy must be true or false, got \"$FIX\"" ;; esac
jq -e 'type == "array" and length > 0 and all(.[]; type == "object" and (.container | type == "string" and length > 0) and (.image | type == "string" and length > 0 and (test("\\s") | not)))' <<<"$IMAGES" >/dev/null 2>&1 \
  || refuse "images must be a JSON list of {\"container\": NAME, \"image\": IMAGE}, got $IMAGES"
jq -e 'type == "array" and length > 0 and all(.[]; type == "string" and length > 0)' <<<"$RETIRE" >/dev/null 2>&1 \
  || refuse "retire-ops-states must be a JSON list of opsState names, got $RETIRE"

SET=$(get_set)
missing=$(jq -r --argjson imgs "$IMAGES" '[.spec.gameServerTemplate.spec.containers[].name] as $c | [$imgs[].container | select(. as $n | $c | index($n) | not)] | join(", ")' <<<"$SET")
[ -z "$missing" ] || refuse "container(s) $missing not in GameServerSet $GSS_NAME"
if ! jq -e '(.spec.updateStrategy.type // "RollingUpdate") == "OnDelete" and (.spec.updateStrategy.rollingUpdate == null)' <<<"$SET" >/dev/null && [ "$FIX" != true ]; then
  refuse "OnDelete is not in force on $GSS_NAME (updateStrategy $(jq -c '.spec.updateStrategy // {}' <<<"$SET")): the new image would replace rooms with players; export with --fix-update-strategy to fix it with the image"
fi

# the lease: free (none, or finished), ours (a retry of this step), expired, or held by someone else
RAW=$(annotation "$SET")
# an unreadable record counts as empty (as the engine's parseRecord does) and is replaced
DOC='{"current":null,"history":[]}'
if [ -n "$RAW" ]; then
  DOC=$(jq -c 'if type == "object" then {current: .current, history: (if (.history | type) == "array" then .history else [] end)} else error("no") end' <<<"$RAW" 2>/dev/null || echo "$DOC")
fi
STATE=$(jq -r --arg me "$WF_UID" '.current as $c
  | if $c == null or $c.outcome != null then "free"
    elif $c.holder.id == $me then "mine"
    elif ($c.leaseExpiresAt | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601) <= now then "expired"
    else "held" end' <<<"$DOC")
case "$STATE" in
  mine) echo "this workflow already holds the lease of $NS/$GSS_NAME"; exit 0 ;;
  held) refuse "$(jq -r '.current | "GameServerSet '"$GSS_NAME"' is locked by release \(.id) of \(.holder.user)@\(.holder.host) (pid \(.holder.pid)) (at step \(.step)) until \(.leaseExpiresAt); wait for it to finish or for the lease to expire"' <<<"$DOC")" ;;
esac
ROOMS=$(kubectl get gameservers.game.kruise.io -n "$NS" -l "game.kruise.io/owner-gss=$GSS_NAME" -o json | jq -c '[.items[].metadata.name] | sort')
NEXT=$(jq -c --argjson doc "$DOC" --argjson imgs "$IMAGES" --argjson retire "$RETIRE" --argjson rooms "$ROOMS" \
  --arg uid "$WF_UID" --arg wf "$WF_NAME" --arg wfns "$WF_NS" --arg ns "$NS" --arg gss "$GSS_NAME" --arg reclaim "$RECLAIM" --arg fix "$FIX" \
  --argjson add "$ADD" --argjson ready "$READY" --argjson timeout "$TIMEOUT" --argjson lease "$LEASE_SECONDS" '
  (now | todate) as $t
  | {id: ("argo-" + $wf), holder: {id: $uid, user: "argo-workflow", host: ($wfns + "/" + $wf), pid: 0},
     leaseExpiresAt: (now + $lease | todate), startedAt: $t, updatedAt: $t,
     input: {namespace: $ns, gameServerSet: $gss, images: $imgs, add: $add, ready: $ready, timeoutMs: ($timeout * 1000),
             retireOpsStates: $retire, reclaim: $reclaim, fixUpdateStrategy: ($fix == "true")},
     baseline: {replicas: .spec.replicas, images: [.spec.gameServerTemplate.spec.containers[] | {container: .name, image: .image}], rooms: $rooms},
     target: {replicas: (.spec.replicas + $add), ready: $ready}, step: "lock", done: []} as $rec
  | $doc.current as $prev
  | {current: $rec,
     history: ((if $prev != null and $prev.outcome != "succeeded" then
       [{id: $prev.id, holder: "\($prev.holder.user)@\($prev.holder.host) (pid \($prev.holder.pid))", startedAt: $prev.startedAt, finishedAt: $t,
         outcome: "superseded", step: $prev.step, images: $prev.input.images, input: $prev.input}] else [] end) + $doc.history)[:10]}' <<<"$SET")
if [ -n "$RAW" ]; then
  PATCH=$(jq -nc --arg p "$AP" --arg old "$RAW" --arg new "$NEXT" '[{op:"test",path:$p,value:$old},{op:"replace",path:$p,value:$new}]')
elif jq -e '.metadata.annotations == null' <<<"$SET" >/dev/null; then
  PATCH=$(jq -nc --arg a "$A" --arg new "$NEXT" --arg rv "$(jq -r .metadata.resourceVersion <<<"$SET")" '[{op:"test",path:"/metadata/resourceVersion",value:$rv},{op:"add",path:"/metadata/annotations",value:{($a):$new}}]')
else
  PATCH=$(jq -nc --arg p "$AP" --arg new "$NEXT" --arg rv "$(jq -r .metadata.resourceVersion <<<"$SET")" '[{op:"test",path:"/metadata/resourceVersion",value:$rv},{op:"add",path:$p,value:$new}]')
fi
kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null
echo "release argo-$WF_NAME holds the lease of $NS/$GSS_NAME until $(jq -r .current.leaseExpiresAt <<<"$NEXT")"
`;

const PATCH_IMAGE = String.raw`hold patch-image
FIX_NEEDED=false
if [ "$FIX" = true ] && ! jq -e '(.spec.updateStrategy.type // "RollingUpdate") == "OnDelete" and (.spec.updateStrategy.rollingUpdate == null)' <<<"$SET" >/dev/null; then FIX_NEEDED=true; fi
if jq -e --argjson imgs "$IMAGES" "$NEW_IMAGES" <<<"$SET" >/dev/null && [ "$FIX_NEEDED" = false ]; then echo "the new image is already set"; exit 0; fi
# OKG must have processed the current generation; then patch only if nothing moved (test ops on what was read)
jq -e '.status.observedGeneration == .metadata.generation' <<<"$SET" >/dev/null || { echo "OKG is still reconciling $GSS_NAME; retrying" >&2; exit 1; }
OPS=$(jq -c --argjson imgs "$IMAGES" --arg fix "$FIX_NEEDED" '
  [{op: "test", path: "/metadata/generation", value: .metadata.generation}, {op: "test", path: "/spec/replicas", value: .spec.replicas}]
  + [.spec.gameServerTemplate.spec.containers | to_entries[] | .key as $i | .value as $c | $imgs[] | select(.container == $c.name and .image != $c.image)
      | {op: "test", path: "/spec/gameServerTemplate/spec/containers/\($i)/name", value: $c.name},
        {op: "test", path: "/spec/gameServerTemplate/spec/containers/\($i)/image", value: $c.image},
        {op: "replace", path: "/spec/gameServerTemplate/spec/containers/\($i)/image", value: .image}]
  + (if $fix == "true" then [{op: "replace", path: "/spec/updateStrategy", value: {type: "OnDelete"}}] else [] end)' <<<"$SET")
PATCH=$(jq -c --argjson g "$(guard)" '[$g] + .' <<<"$OPS")
kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null
echo "image patched: $(jq -r 'map(select(.op == "replace") | .value | if type == "string" then . else tojson end) | join(", ")' <<<"$OPS")"
`;

const WAIT_GENERATION = String.raw`hold wait-generation
# never scale before OKG applied the new template (API.md §8 pitfall 2)
applied() { get_set | jq -e --argjson imgs "$IMAGES" '.status.observedGeneration == .metadata.generation and ('"$NEW_IMAGES"')' >/dev/null; }
wait_until "OKG to apply the new template of $GSS_NAME" applied
echo "OKG applied generation $(get_set | jq .metadata.generation)"
`;

const SCALE = String.raw`hold scale
TARGET=$(jq '.current.target.replicas' <<<"$RAW")
REPLICAS=$(jq '.spec.replicas' <<<"$SET")
if [ "$REPLICAS" -ge "$TARGET" ]; then echo "already $REPLICAS replicas (target $TARGET)"; exit 0; fi
jq -e --argjson imgs "$IMAGES" "$NEW_IMAGES" <<<"$SET" >/dev/null || refuse "the template of $GSS_NAME lost the new image; not scaling"
PATCH=$(jq -nc --argjson g "$(guard)" --argjson r "$REPLICAS" --argjson to "$TARGET" '[$g, {op:"test",path:"/spec/replicas",value:$r}, {op:"replace",path:"/spec/replicas",value:$to}]')
kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null
echo "scaled $GSS_NAME from $REPLICAS to $TARGET replicas"
`;

/** New-version pods (not terminating), as a jq filter over a pod list, given $imgs. */
const NEW_PODS =
  '[.items[] | select(.metadata.deletionTimestamp == null) | . as $p | select(all($imgs[]; . as $w | any($p.spec.containers[]; .name == $w.container and .image == $w.image))) | .metadata.name]';

const WAIT_READY =
  String.raw`hold wait-ready
NEED=$(jq '.current.target.ready' <<<"$RAW")
owner="game.kruise.io/owner-gss=$GSS_NAME"
# at least NEED new-version rooms ready for players (the seed's workflow required exactly N Ready and failed when
# more were): the engine's definition (readiness.ts), network Ready too when the set configures a network
if jq -e '(.spec.network.networkType // "") | type == "string" and length > 0' <<<"$SET" >/dev/null; then
  READY_JQ='` +
  readyForPlayersJq({ network: true }) +
  String.raw`'; WHAT='` +
  readyDefinition({ network: true }) +
  String.raw`'
else
  READY_JQ='` +
  readyForPlayersJq({ network: false }) +
  String.raw`'; WHAT='` +
  readyDefinition({ network: false }) +
  String.raw`'
fi
enough() {
  local pods gs
  pods=$(kubectl get pods -n "$NS" -l "$owner" -o json)
  gs=$(kubectl get gameservers.game.kruise.io -n "$NS" -l "$owner" -o json)
  COUNT=$(jq -n --argjson imgs "$IMAGES" --argjson pods "$pods" --argjson gs "$gs" '($pods | ` +
  NEW_PODS +
  String.raw`) as $new | [$gs.items[] | select(.metadata.name as $n | $new | index($n)) | select(` +
  "'" +
  String.raw`"$READY_JQ"` +
  "'" +
  String.raw`)] | length')
  echo "new-version rooms ready for players ($WHAT): $COUNT (need at least $NEED)"
  [ "$COUNT" -ge "$NEED" ] && return 0
  # why not, as the engine says it (reasons.ts): each new room's waiting reason; a bad image or a crash loop after
  # CRASH restarts does not heal, and when too few rooms can still become ready for FAIL_FAST s, stop early
  LOOK=$(jq -nc --argjson imgs "$IMAGES" --argjson pods "$pods" --argjson gs "$gs" --argjson need "$NEED" \
    --argjson target "$TARGET" --argjson fails '${JSON.stringify(IMAGE_FAILURES)}' --argjson crash ${CRASH_LOOP_RESTARTS} '
    [$pods.items[] | select(.metadata.deletionTimestamp == null)] as $all
    | ($pods | ` +
  NEW_PODS +
  String.raw`) as $newNames
    | [$all[] | select(.metadata.name as $n | $newNames | index($n))] as $new
    | ([$all[] | .metadata.name] - $newNames) as $old
    | [$gs.items[] | select(.metadata.deletionTimestamp == null) | .metadata.name] as $live
    | [$new[] | {name: .metadata.name, restarts: ([.status.containerStatuses[]?.restartCount // 0] | add // 0),
        reason: ([(.status.initContainerStatuses // [])[], (.status.containerStatuses // [])[] | .state.waiting.reason // empty] | first // "")}] as $why
    | [$why[] | select(.reason as $r | ($fails | index($r)) != null or ($r == "CrashLoopBackOff" and .restarts >= $crash))] as $perm
    | ([$live[] | select(. as $n | $old | index($n))] | length) as $oldLive
    | ([0, $target - ($live | length)] | max) as $missing
    | {stuck: (($perm | length) > 0 and (($live | length) - $oldLive - ($perm | length) + $missing) < $need),
       why: ([$why[] | select(.reason != "")] | group_by(.reason)
         | map("\(length) room\(if length == 1 then "" else "s" end) \(.[0].reason) (\(map(.name) | join(", ")))") | join("; "))}')
  WHY=$(jq -r .why <<<"$LOOK")
  [ -z "$WHY" ] || echo "waiting: $WHY"
  if [ "$FAIL_FAST" != 0 ] && jq -e .stuck <<<"$LOOK" >/dev/null; then
    STUCK_SINCE=${'$'}{STUCK_SINCE:-$SECONDS}
    if [ $((SECONDS - STUCK_SINCE)) -ge "${'$'}{FAIL_FAST%.*}" ]; then
      echo "stopped early: the new rooms do not become ready and will not by themselves (for $FAIL_FAST s): $WHY; nothing was marked" >&2
      exit 3
    fi
  else
    STUCK_SINCE=
  fi
  return 1
}
TARGET=$(jq '.current.target.replicas' <<<"$RAW")
STUCK_SINCE=
wait_until "$NEED new-version rooms of $GSS_NAME to be ready for players ($WHAT)" enough
`;

const MARK =
  String.raw`hold mark
owner="game.kruise.io/owner-gss=$GSS_NAME"
# the rooms to retire are chosen once, before any room is written, and kept in the record (a retry marks the same rooms)
if ! jq -e '.current.retire' <<<"$RAW" >/dev/null; then
  PODS=$(kubectl get pods -n "$NS" -l "$owner" -o json)
  GS=$(kubectl get gameservers.game.kruise.io -n "$NS" -l "$owner" -o json)
  CHOSEN=$(jq -nc --argjson imgs "$IMAGES" --argjson retire "$RETIRE" --argjson pods "$PODS" --argjson gs "$GS" '
    ($pods | ` +
  NEW_PODS +
  String.raw`) as $new
    | [$gs.items[] | select(.metadata.deletionTimestamp == null) | select(.spec.opsState as $o | $retire | index($o))
       | select(.metadata.name as $n | $new | index($n) | not) | {name: .metadata.name, uid: .metadata.uid, opsState: .spec.opsState}] | sort_by(.name)')
  record ".current.retire = $CHOSEN"
fi
MARKED=(); SKIPPED=()
while read -r row; do
  n=$(jq -r .name <<<"$row"); uid=$(jq -r .uid <<<"$row"); ops=$(jq -r .opsState <<<"$row")
  # conditional on the room's uid and opsState as chosen: a room Allocated meanwhile is skipped, never overwritten
  PATCH=$(jq -nc --arg uid "$uid" --arg ops "$ops" '[{op:"test",path:"/metadata/uid",value:$uid},{op:"test",path:"/spec/opsState",value:$ops},{op:"replace",path:"/spec/opsState",value:"WaitToBeDeleted"}]')
  if kubectl patch gameservers.game.kruise.io "$n" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null 2>&1; then MARKED+=("$n"); continue; fi
  now_gs=$(kubectl get gameservers.game.kruise.io "$n" -n "$NS" -o json 2>/dev/null || echo '{}')
  if jq -e --arg uid "$uid" '.metadata.uid == $uid and .spec.opsState == "WaitToBeDeleted"' <<<"$now_gs" >/dev/null; then MARKED+=("$n"); continue; fi
  SKIPPED+=("$n"); echo "skipped $n: it changed since it was chosen (now $(jq -r '.spec.opsState // "gone"' <<<"$now_gs"))"
done < <(jq -c '.current.retire[]' <<<"$RAW")
hold mark
M=$(printf '%s\n' "${'$'}{MARKED[@]}" | jq -Rsc 'split("\n") | map(select(length > 0))')
S=$(printf '%s\n' "${'$'}{SKIPPED[@]}" | jq -Rsc 'split("\n") | map(select(length > 0))')
record ".current.marked = $M | .current.skipped = $S"
jq -r 'join(" ")' <<<"$M" > /tmp/marked
echo "marked WaitToBeDeleted: $(jq -r 'join(", ")' <<<"$M")"
`;

const SETTLE_STEP = String.raw`hold reclaim
# the settle window: a matchmaker whose view of the rooms is at most this old has written its Allocated by now,
# so the reclaim's re-read sees it and leaves the room alone
echo "waiting $SETTLE s before the reclaim"
sleep "$SETTLE"
`;

const RECLAIM_SCALE_DOWN = String.raw`hold reclaim
MARKED=$(jq -c '.current.marked // []' <<<"$RAW")
[ "$(jq length <<<"$MARKED")" -gt 0 ] || { echo "nothing was marked; nothing to reclaim"; exit 0; }
REPLICAS=$(jq '.spec.replicas' <<<"$SET")
if jq -e '.current.reclaim' <<<"$RAW" >/dev/null; then
  FROM=$(jq '.current.reclaim.from' <<<"$RAW"); TO=$(jq '.current.reclaim.to' <<<"$RAW")
  if [ "$REPLICAS" -eq "$TO" ]; then echo "replicas already lowered to $TO"; exit 0; fi
  [ "$REPLICAS" -eq "$FROM" ] || refuse "replicas of $GSS_NAME changed from $FROM to $REPLICAS since the reclaim was planned; not lowering them"
else
  owner="game.kruise.io/owner-gss=$GSS_NAME"
  # lower replicas by exactly the marks the POD LABELS show: OKG scales down by labels, which lag (API.md §8.5)
  confirmed() {
    local gs pods
    gs=$(kubectl get gameservers.game.kruise.io -n "$NS" -l "$owner" -o json)
    pods=$(kubectl get pods -n "$NS" -l "$owner" -o json)
    LAG=$(jq -nr --argjson m "$MARKED" --argjson gs "$gs" --argjson pods "$pods" '[$m[] as $n
      | ($gs.items[] | select(.metadata.name == $n) | .spec.opsState) as $spec
      | ([$pods.items[] | select(.metadata.name == $n and .metadata.deletionTimestamp == null) | .metadata.labels["game.kruise.io/gs-opsState"]][0]) as $label
      | select($label != null and $label != $spec) | "\($n): pod label \($label), spec \($spec)"] | join("; ")')
    N=$(jq -n --argjson m "$MARKED" --argjson gs "$gs" --argjson pods "$pods" '[$m[] as $n
      | select(any($gs.items[]; .metadata.name == $n and .spec.opsState == "WaitToBeDeleted"))
      | select(any($pods.items[]; .metadata.name == $n and .metadata.deletionTimestamp == null and .metadata.labels["game.kruise.io/gs-opsState"] == "WaitToBeDeleted"))] | length')
    [ -z "$LAG" ] || echo "waiting for pod labels: $LAG"
    [ -z "$LAG" ]
  }
  wait_until "the pod labels of the marked rooms" confirmed
  [ "$N" -gt 0 ] || { echo "no marked room is still WaitToBeDeleted; nothing to reclaim"; exit 0; }
  hold reclaim
  FROM=$(jq '.spec.replicas' <<<"$SET"); TO=$((FROM - N))
  record ".current.reclaim = {from: $FROM, to: $TO, rooms: $MARKED}"
fi
PATCH=$(jq -nc --argjson g "$(guard)" --argjson r "$FROM" --argjson to "$TO" '[$g, {op:"test",path:"/spec/replicas",value:$r}, {op:"replace",path:"/spec/replicas",value:$to}]')
kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null
echo "lowered replicas of $GSS_NAME from $FROM to $TO"
`;

const RECLAIM_KILL = String.raw`hold reclaim
# marked rooms still WaitToBeDeleted → Kill (OKG removes them and lowers replicas itself), conditional per room
while read -r row; do
  n=$(jq -r .name <<<"$row"); uid=$(jq -r .uid <<<"$row")
  PATCH=$(jq -nc --arg uid "$uid" '[{op:"test",path:"/metadata/uid",value:$uid},{op:"test",path:"/spec/opsState",value:"WaitToBeDeleted"},{op:"replace",path:"/spec/opsState",value:"Kill"}]')
  if kubectl patch gameservers.game.kruise.io "$n" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null 2>&1; then echo "$n: Kill"; continue; fi
  now_gs=$(kubectl get gameservers.game.kruise.io "$n" -n "$NS" -o json 2>/dev/null || echo '{}')
  if jq -e --arg uid "$uid" '.metadata.uid == $uid and .spec.opsState == "Kill"' <<<"$now_gs" >/dev/null; then echo "$n: Kill"; continue; fi
  echo "skipped $n: it changed since it was marked (now $(jq -r '.spec.opsState // "gone"' <<<"$now_gs"))"
done < <(jq -c '(.current.marked // []) as $m | .current.retire[]? | select(.name as $n | $m | index($n))' <<<"$RAW")
`;

const RECORD_OUTCOME = String.raw`# the exit handler: whatever happened, the outcome goes into the record's history and the lease is freed —
# only if this workflow holds it (a release refused at lock, or one whose lease was taken over, records nothing).
# The newest entry keeps what the release changed (as the engine's record.ts), so okg rollback can undo it.
SET=$(get_set)
RAW=$(annotation "$SET")
if [ -z "$RAW" ] || ! jq -e --arg me "$WF_UID" '.current.holder.id == $me and .current.outcome == null' <<<"$RAW" >/dev/null 2>&1; then
  echo "this workflow does not hold the lease of $NS/$GSS_NAME; nothing to record"; exit 0
fi
case "$WF_STATUS" in Succeeded) OUTCOME=succeeded ;; *) OUTCOME=failed ;; esac
NEXT=$(jq -c --arg o "$OUTCOME" --arg st "$WF_STATUS" --arg wf "$WF_NS/$WF_NAME" '(now | todate) as $t | .current as $c
  | {history: ([{id: $c.id, holder: "\($c.holder.user)@\($c.holder.host) (pid \($c.holder.pid))", startedAt: $c.startedAt, finishedAt: $t,
       outcome: $o, step: (if $o == "succeeded" then "unlock" else $c.step end), images: $c.input.images, input: $c.input,
       message: "Argo Workflow \($wf): \($st)",
       changes: ({id: $c.id, images: $c.input.images, baseline: $c.baseline, target: $c.target, done: ($c.done // [])}
         + (if $c.retire then {retire: $c.retire} else {} end) + (if $c.marked then {marked: $c.marked} else {} end))}]
     + ((.history // []) | map(del(.changes))))[:10]}' <<<"$RAW")
PATCH=$(jq -nc --arg p "$AP" --arg old "$RAW" --arg new "$NEXT" '[{op:"test",path:$p,value:$old},{op:"replace",path:$p,value:$new}]')
kubectl patch gameserversets.game.kruise.io "$GSS_NAME" -n "$NS" --type=json -p "$PATCH" -o name >/dev/null
echo "release argo-$WF_NAME: $OUTCOME; lease of $NS/$GSS_NAME released"
`;

/** Each step's source, prelude included. */
export const ARGO_SCRIPTS = {
  lock: PRELUDE + LOCK,
  'patch-image': PRELUDE + PATCH_IMAGE,
  'wait-generation': PRELUDE + WAIT_GENERATION,
  scale: PRELUDE + SCALE,
  'wait-ready': PRELUDE + WAIT_READY,
  mark: PRELUDE + MARK,
  settle: PRELUDE + SETTLE_STEP,
  'reclaim-scale-down': PRELUDE + RECLAIM_SCALE_DOWN,
  'reclaim-kill': PRELUDE + RECLAIM_KILL,
  'record-outcome': PRELUDE + RECORD_OUTCOME,
} as const;

export type ArgoStep = keyof typeof ARGO_SCRIPTS;
