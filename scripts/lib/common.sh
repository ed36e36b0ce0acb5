# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, build.
# Sourced, not run.

KEYHOP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Debian 12 packages the build, the tests and scripts/run's demo (curl) need. libssl-dev is
# deliberately absent: it comes with libpoco-dev, and naming it would upgrade OpenSSL.
KEYHOP_PACKAGES=(g++ make cmake libpoco-dev libyaml-cpp-dev libboost-dev libboost-filesystem-dev
  catch2 libpq-dev postgresql-15 curl)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_packages() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    return 1
  fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build BUILD_DIR BUILD_TYPE [TARGET...]: configure once, then build incrementally (every
# target when none is named).
build() {
  local dir=$1 type=$2 targets=()
  shift 2
  for target in "$@"; do targets+=(--target "$target"); done
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configuring ($type) in $dir"
    cmake -S "$KEYHOP_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" >/dev/null
  fi
  log "building in $dir"
  cmake --build "$dir" -j "$(nproc)" "${targets[@]}" -- --no-print-directory
}
