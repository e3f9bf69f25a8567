#!/bin/sh
# install-deps.sh: install the Debian packages accel builds and tests with,
# when run as root and any is missing. Used by `make run` and .ci/run.
set -e
PKGS="build-essential pkg-config clang libclang-rt-14-dev libevent-dev libssl-dev
liblmdb-dev libzstd-dev libxxhash-dev libcmocka-dev zlib1g-dev libpcre2-dev
curl procps wrk nginx-light gnuplot-nox iproute2"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "accel: missing Debian packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing
