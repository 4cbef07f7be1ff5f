#!/usr/bin/env bash
# Installs what Consortium needs on a Debian machine, only what is missing; safe to run again.
set -euo pipefail

packages=(postgresql libpq-dev libssl-dev libopenblas-dev pkg-config ca-certificates python3 python3-pip unzip)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: missing Debian packages: ${missing[*]} (run this script as root, or install them)" >&2
        exit 1
    fi
    echo "setup: installing ${missing[*]}"
    # The Debian postgresql package would otherwise create and start a system-wide 'main' cluster we don't use.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/consortium.conf
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.1 or newer is required)" >&2; exit 1; }
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || { echo "setup: PostgreSQL server binaries not found under /usr/lib/postgresql" >&2; exit 1; }
