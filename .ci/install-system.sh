#!/usr/bin/env bash
# Installs what the test suite needs from Debian: pgvector (built from Debian's source package
# against the running Postgres 15, which ships without it) and Chromium for the browser tests.
# Idempotent: every step is skipped when its result is already there.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
export DEBIAN_FRONTEND=noninteractive

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then apt-get update -qq; apt_updated=1; fi
}

if [ ! -f "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control" ]; then
  echo "== building pgvector for Postgres ${PG_MAJOR} from Debian's source package"
  # pgvector 0.8 (iterative HNSW scans) is in trixie; bookworm's is older.
  if ! grep -rqs 'deb-src .*trixie main' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo 'deb-src http://deb.debian.org/debian trixie main' > /etc/apt/sources.list.d/trixie-src.list
  fi
  apt_update_once
  apt-get install -y -qq "postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev >/dev/null
  build_dir="$(mktemp -d)"
  (cd "$build_dir" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ \
    && make -s PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config" >/dev/null \
    && make -s install PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config" >/dev/null)
  rm -rf "$build_dir"
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "== installing Debian's Chromium for the browser tests"
  apt_update_once
  apt-get install -y -qq chromium >/dev/null
fi
