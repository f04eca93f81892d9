#!/usr/bin/env bash
# Build the emulator's container image without any registry, and optionally test it.
#
#   scripts/build-image.sh            build (idempotent: cached base, cached layers)
#   scripts/build-image.sh --test     build, then start it, wait for healthy, call both APIs
#   scripts/build-image.sh --test-only   test an image built earlier
#   scripts/build-image.sh --rebuild-base  debootstrap the base again
#
# 1. Base: a debootstrapped Debian (host release, --variant=minbase, python3 python3-venv
#    ca-certificates), trimmed, tarred under the cache dir and imported as $BASE_IMAGE.
# 2. Wheels: the emulator's dependencies (and its build backend) downloaded on the host into a
#    staged build context outside the repo, for the base's Python and platform, because the
#    build cannot reach a package index.
# 3. Image: `buildah bud --format docker` (docker format keeps HEALTHCHECK) of ./Dockerfile
#    with BASE=$BASE_IMAGE on that staged context.
#
# Needs root (or a working rootless podman/buildah setup), buildah or podman, and debootstrap
# (only for the first build). Packages: buildah podman debootstrap (Debian).
#
# Environment (all optional):
#   EMULATOR_IMAGE           tag to build/test        (localhost/emulator:latest)
#   EMULATOR_IMAGE_SUITE     Debian suite of the base (host's VERSION_CODENAME, else bookworm)
#   EMULATOR_IMAGE_MIRROR    Debian mirror            (the host's apt mirror, else deb.debian.org)
#   EMULATOR_IMAGE_CACHE     cache dir                (${XDG_CACHE_HOME:-$HOME/.cache}/emulator-image)
#   EMULATOR_IMAGE_PORT      host port for --test     (a free one)
#   EMULATOR_IMAGE_HEALTH_TIMEOUT  seconds to wait for healthy in --test (60)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
build=1 test=0 rebuild_base=0
for arg in "$@"; do
  case $arg in
    --test) test=1 ;;
    --test-only) test=1 build=0 ;;
    --rebuild-base) rebuild_base=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

log() { printf '[build-image] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

BUILDAH=$(command -v buildah || true)
PODMAN=$(command -v podman || true)
[ -n "$BUILDAH$PODMAN" ] || die "neither buildah nor podman is installed (apt-get install buildah podman)"

# shellcheck disable=SC1091
host_codename=$( (. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}") || true)
SUITE=${EMULATOR_IMAGE_SUITE:-${host_codename:-bookworm}}
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
IMAGE=${EMULATOR_IMAGE:-localhost/emulator:latest}
BASE_IMAGE=localhost/emulator-base:$SUITE
CACHE=${EMULATOR_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emulator-image}
BASE_PACKAGES=python3,python3-venv,ca-certificates
BASE_KEY=$SUITE-$ARCH-$(printf '%s' "$BASE_PACKAGES" | sha256sum | cut -c1-8)
BASE_TAR=$CACHE/base-$BASE_KEY.tar
BASE_INFO=$CACHE/base-$BASE_KEY.env        # PY_VERSION=3.11 GLIBC=2.36
case $CACHE/ in "$REPO"/*) die "the cache dir must be outside the repo: $CACHE" ;; esac
mkdir -p "$CACHE"

# Image tool wrappers: buildah builds, podman runs (either can stand in for the other's
# image commands since both use /var/lib/containers/storage).
img() { if [ -n "$PODMAN" ]; then "$PODMAN" "$@"; else "$BUILDAH" "$@"; fi; }
image_exists() { img image exists "$1" 2>/dev/null || img inspect --type image "$1" >/dev/null 2>&1; }
image_size() { img image inspect --format '{{.Size}}' "$1" 2>/dev/null | head -1; }
human() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

debian_mirror() {
  if [ -n "${EMULATOR_IMAGE_MIRROR:-}" ]; then echo "$EMULATOR_IMAGE_MIRROR"; return; fi
  local m
  m=$(grep -hs -E '^URIs:|^deb ' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
        | grep -o -E 'https?://[^ ]*/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
  echo "${m:-http://deb.debian.org/debian}"
}

# Refuse to delete a tree that still has something mounted below it (a debootstrap that died
# with /proc mounted in its chroot): rm -rf would walk into the host's /proc or /dev.
safe_rm_tree() {
  local dir=$1 m
  [ -e "$dir" ] || return 0
  # shellcheck disable=SC2013  # mount points under a debootstrap root have no spaces
  for m in $(awk -v d="$(realpath "$dir")" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$m" || die "cannot unmount $m; remove $dir by hand"
  done
  rm -rf --one-file-system "$dir"
}

build_base_tarball() {
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  local root=$CACHE/rootfs.tmp mirror started
  mirror=$(debian_mirror)
  started=$(now)
  safe_rm_tree "$root"
  log "debootstrap --variant=minbase --include=$BASE_PACKAGES $SUITE ($mirror) ..."
  debootstrap --variant=minbase --arch="$ARCH" --include="$BASE_PACKAGES" \
    "$SUITE" "$root" "$mirror" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log" >&2; safe_rm_tree "$root"; die "debootstrap failed (log: $CACHE/debootstrap.log)"; }
  # Trim what a runtime image never reads; keep dpkg's database so the base stays a Debian.
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
         "$root"/var/log/* "$root"/usr/share/doc/* "$root"/usr/share/man/* \
         "$root"/usr/share/info/* "$root"/usr/share/lintian "$root"/usr/share/locale/* \
         "$root"/tmp/* "$root"/var/tmp/* "$root"/debootstrap
  find "$root"/dev -mindepth 1 -delete 2>/dev/null || true
  printf 'nameserver 127.0.0.1\n' >"$root"/etc/resolv.conf   # replaced by the runtime
  # The base's Python and glibc decide which wheels the host downloads.
  local py glibc
  py=$(chroot "$root" /usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  glibc=$(chroot "$root" /usr/bin/python3 -c 'import platform; print(platform.libc_ver()[1])')
  tar --numeric-owner --xattrs -C "$root" -cf "$BASE_TAR.tmp" .
  mv "$BASE_TAR.tmp" "$BASE_TAR"
  printf 'PY_VERSION=%s\nGLIBC=%s\n' "$py" "$glibc" >"$BASE_INFO"
  safe_rm_tree "$root"
  log "base rootfs: python $py, glibc $glibc, tarball $(du -h "$BASE_TAR" | cut -f1) in $(elapsed "$started")s"
}

import_base() {
  log "importing $BASE_TAR as $BASE_IMAGE"
  img rmi -f "$BASE_IMAGE" >/dev/null 2>&1 || true
  if [ -n "$PODMAN" ]; then
    "$PODMAN" import --quiet --change 'CMD ["/bin/bash"]' "$BASE_TAR" "$BASE_IMAGE" >/dev/null
  else
    local ctr
    ctr=$("$BUILDAH" from scratch)
    "$BUILDAH" add --quiet "$ctr" "$BASE_TAR" / >/dev/null
    "$BUILDAH" config --cmd '["/bin/bash"]' "$ctr"
    "$BUILDAH" commit --quiet "$ctr" "$BASE_IMAGE" >/dev/null
    "$BUILDAH" rm "$ctr" >/dev/null
  fi
}

# The staged build context: only what the Dockerfile copies, plus wheels/ for an offline pip.
stage_context() {
  local ctx=$CACHE/context wheels
  # shellcheck disable=SC1090
  . "$BASE_INFO"
  local machine
  case $ARCH in amd64) machine=x86_64 ;; arm64) machine=aarch64 ;; *) machine=$ARCH ;; esac
  local py=${PY_VERSION/./}
  mkdir -p "$ctx"
  rm -rf "$ctx/src.new"
  mkdir -p "$ctx/src.new"
  tar -C "$REPO" --exclude=__pycache__ --exclude='*.pyc' -cf - pyproject.toml README.md emulator fixtures \
    | tar -C "$ctx/src.new" -xf -
  cp "$REPO/Dockerfile" "$ctx/Dockerfile"   # beside the context, so comment edits keep the cache
  # Requirements: the project's dependencies and its build backend, read from pyproject.toml.
  python3 - "$REPO/pyproject.toml" >"$ctx/requirements.txt" <<'EOF'
import sys, tomllib
data = tomllib.load(open(sys.argv[1], "rb"))
print("\n".join(data["project"]["dependencies"] + data["build-system"]["requires"]))
EOF
  # Wheels for the base's Python and glibc, cached per requirements (delete the cache dir's
  # wheels-* to pick up newer releases from the index).
  local key
  # shellcheck disable=SC2153  # GLIBC comes from $BASE_INFO
  key=$( (cat "$ctx/requirements.txt"; echo "$PY_VERSION $GLIBC $machine") | sha256sum | cut -c1-12)
  wheels=$CACHE/wheels-$key
  if [ ! -f "$wheels/.complete" ]; then
    # pip does not expand manylinux_2_N to older glibc tags itself: list every one the base runs.
    local platforms=() minor
    for minor in $(seq "${GLIBC#*.}" -1 5); do platforms+=(--platform "manylinux_2_${minor}_$machine"); done
    platforms+=(--platform "manylinux2014_$machine" --platform "manylinux2010_$machine" --platform "manylinux1_$machine")
    log "downloading wheels for cp$py manylinux_${GLIBC/./_}_$machine into $wheels"
    rm -rf "$wheels"
    python3 -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
      --implementation cp --python-version "$PY_VERSION" --abi "cp$py" --abi abi3 --abi none \
      "${platforms[@]}" --platform any \
      -d "$wheels" -r "$ctx/requirements.txt" >"$CACHE/pip-download.log" 2>&1 \
      || { tail -20 "$CACHE/pip-download.log" >&2; die "pip download failed (log: $CACHE/pip-download.log)"; }
    touch "$wheels/.complete"
  fi
  cp -r "$wheels" "$ctx/src.new/wheels"
  rm -f "$ctx/src.new/wheels/.complete"
  # Fixed mtimes: buildah's layer cache hashes them, so an unchanged repo reuses every layer.
  find "$ctx/src.new" -exec touch -h -d @1 {} +
  rm -rf "$ctx/src"
  mv "$ctx/src.new" "$ctx/src"
  echo "$ctx/src"
}

build_image() {
  local started ctx base_started
  started=$(now)
  if [ "$rebuild_base" = 1 ]; then rm -f "$BASE_TAR" "$BASE_INFO"; fi
  base_started=$(now)
  if [ ! -s "$BASE_TAR" ] || [ ! -s "$BASE_INFO" ]; then
    build_base_tarball
    import_base
  elif [ "$rebuild_base" = 1 ] || ! image_exists "$BASE_IMAGE"; then
    import_base
  else
    log "base $BASE_IMAGE is cached ($BASE_TAR)"
  fi
  local base_time
  base_time=$(elapsed "$base_started")
  ctx=$(stage_context)
  log "building $IMAGE from $ctx (FROM $BASE_IMAGE)"
  local bud old_id
  old_id=$(img image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null | head -1 || true)
  if [ -n "$BUILDAH" ]; then bud=("$BUILDAH" bud --layers --force-rm); else bud=("$PODMAN" build --layers --force-rm); fi
  # --isolation chroot needs no OCI runtime or cgroup setup (crun refuses hybrid cgroup hosts),
  # so it works in CI containers and sandboxes; it shares the host network, which the build does
  # not use (pip runs with --no-index). EMULATOR_IMAGE_ISOLATION=oci isolates the network too.
  local isolation=${EMULATOR_IMAGE_ISOLATION:-chroot} netflag=()
  [ "$isolation" = chroot ] || netflag=(--network none)
  "${bud[@]}" --format docker "${netflag[@]}" --isolation "$isolation" \
    --pull-never --build-arg "BASE=$BASE_IMAGE" -f "$CACHE/context/Dockerfile" -t "$IMAGE" "$ctx" \
    >"$CACHE/build.log" 2>&1 \
    || { tail -30 "$CACHE/build.log" >&2; die "image build failed (log: $CACHE/build.log)"; }
  local size new_id
  new_id=$(img image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null | head -1 || true)
  # The image this build replaced (now untagged); intermediate layers stay for the cache.
  if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then img rmi "$old_id" >/dev/null 2>&1 || true; fi
  size=$(image_size "$IMAGE")
  echo "IMAGE=$IMAGE"
  echo "IMAGE_SIZE_BYTES=$size"
  echo "IMAGE_SIZE=$(human "$size")"
  echo "BASE_SECONDS=$base_time"
  echo "BUILD_SECONDS=$(elapsed "$started")"
}

# ---- test mode ---------------------------------------------------------------------------

# podman run options that work on this host. Sandboxes and CI containers often lack
# CAP_SYS_RESOURCE (the runtime may not raise rlimits: pass low ones) or run hybrid cgroups
# (crun refuses them; runc copes). EMULATOR_IMAGE_RUNTIME forces a runtime.
run_options() {
  local runtimes=("${EMULATOR_IMAGE_RUNTIME:-}") r limits
  [ -n "${EMULATOR_IMAGE_RUNTIME:-}" ] || { runtimes=(""); command -v runc >/dev/null && runtimes+=(runc); }
  for r in "${runtimes[@]}"; do
    for limits in "" "--ulimit nofile=4096:4096 --ulimit nproc=4096:4096"; do
      # shellcheck disable=SC2086
      if "$PODMAN" ${r:+--runtime "$r"} run --rm --health-interval disable $limits "$IMAGE" true \
           >/dev/null 2>&1; then
        echo "${r:+--runtime $r}|$limits"
        return 0
      fi
    done
  done
  "$PODMAN" run --rm "$IMAGE" true >&2 || true
  return 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Both APIs, from the host, through the published port: prints one line per call.
call_apis() {
  python3 - "$1" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
def call(method, path, body=None, token="image-test"):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}",
                                          "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read() or b"null")
status, tests = call("GET", "/api/v1/tests/get_simple_tests")
assert status == 200, status
count = len(tests.get("tests", tests.get("data", [])) if isinstance(tests, dict) else tests)
print(f"REVYL GET /api/v1/tests/get_simple_tests -> {status} ({count} tests)")
status, created = call("POST", "/v1/workflows", {"name": "image smoke"})
assert status == 200, status
status, listed = call("GET", "/v1/workflows")
assert status == 200, status
text = json.dumps(listed)
assert "image smoke" in text, text[:500]
print(f"INTERACTLY POST /v1/workflows -> 200, GET /v1/workflows -> {status} (lists it)")
EOF
}

test_image() {
  [ -n "$PODMAN" ] || die "--test needs podman to run the image"
  image_exists "$IMAGE" || die "image $IMAGE does not exist; build it first"
  TEST_CONTAINER=emulator-image-test-$$
  local name=$TEST_CONTAINER port started ready=0 healthy=0 t_ready="" t_healthy="" deadline
  port=${EMULATOR_IMAGE_PORT:-$(free_port)}
  local net=(-p "127.0.0.1:$port:8000")
  [ "${EMULATOR_IMAGE_NETWORK:-}" = host ] && net=(--network host -e "EMULATOR_PORT=$port")
  cleanup() { "$PODMAN" rm -f -t 2 "$TEST_CONTAINER" >/dev/null 2>&1 || true; }
  trap cleanup EXIT
  local opts global limits
  opts=$(run_options) || die "podman cannot run containers here (see the error above)"
  global=${opts%%|*} limits=${opts#*|}
  log "podman ${global:-(default runtime)} run ${limits:-(default limits)}"
  # shellcheck disable=SC2086  # $global is empty or "--runtime runc"
  pod() { "$PODMAN" $global "$@"; }  # the runtime is a global flag; exec/healthcheck need it too
  # The image's HEALTHCHECK is polled with `podman healthcheck run` below, since podman's own
  # timer needs systemd; --health-interval disable stops podman from asking systemd for one.
  started=$(now)
  # shellcheck disable=SC2086
  pod run -d --name "$name" "${net[@]}" $limits --health-interval disable -e EMULATOR_SEED=7 \
    "$IMAGE" 2>&1 >/dev/null | grep -v 'systemd connection' >&2 || true
  [ "$(pod inspect --format '{{.State.Status}}' "$name" 2>/dev/null)" != "" ] || die "podman run failed"
  deadline=$(( $(date +%s) + ${EMULATOR_IMAGE_HEALTH_TIMEOUT:-60} ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ "$(pod inspect --format '{{.State.Running}}' "$name" 2>/dev/null)" != true ]; then
      pod logs "$name" >&2 || true
      die "the container exited"
    fi
    if [ $ready = 0 ] && pod logs "$name" 2>&1 | grep -q '^Ready\.'; then
      ready=1 t_ready=$(elapsed "$started")
    fi
    # Runs the image's own HEALTHCHECK command in the container (podman has no timer
    # without systemd, so poll it); exit 0 = healthy.
    if [ $ready = 1 ] && pod healthcheck run "$name" >/dev/null 2>&1; then
      healthy=1 t_healthy=$(elapsed "$started")
      break
    fi
    sleep 0.2
  done
  pod logs "$name" 2>&1 | sed 's/^/[container] /' >&2
  [ $ready = 1 ] || die "no Ready. line within the timeout"
  [ $healthy = 1 ] || die "the HEALTHCHECK did not pass within the timeout"
  local status user
  status=$(pod inspect --format '{{.State.Healthcheck.Status}}' "$name" 2>/dev/null || true)
  user=$(pod exec "$name" id -u)
  [ "$user" != 0 ] || die "the container runs as root"
  # The seed data must come from the installed wheel, not from a copy of the repo.
  local fixtures version
  fixtures=$(pod exec "$name" python -c 'from emulator.settings import DEFAULT_FIXTURES as f; print(f)')
  version=$(pod exec "$name" ri-emulator --version)
  echo "READY_SECONDS=$t_ready"
  echo "HEALTHY_SECONDS=$t_healthy"
  echo "HEALTH_STATUS=${status:-healthy}"
  echo "CONTAINER_UID=$user"
  echo "FIXTURES_DIR=$fixtures"
  echo "VERSION=$version"
  call_apis "http://127.0.0.1:$port"
  echo "IMAGE_TEST=passed"
}

if [ "$build" = 1 ]; then build_image; fi
if [ "$test" = 1 ]; then test_image; fi
