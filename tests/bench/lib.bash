# lib.bash: helpers shared by tests/bench/run.sh and tests/bench/instr.sh.
# Sourced by bash, never run on its own.
#
# Conventions: BENCH_DIR is this folder, ROOT the repository, RES the results
# folder of this run. Every process started through spawn() is recorded in
# PIDS and stopped by its PID in stop_all() (called from the EXIT/INT/TERM
# traps of the scripts), its descendants too.

BENCH_DIR=${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
ROOT=${ROOT:-$(cd "$BENCH_DIR/../.." && pwd)}
PIDS=()
PATH=$PATH:/usr/sbin:/sbin # nginx, varnishd for a user other than root

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- dependencies ----------------------------------------------------------

# need_pkgs CMD:PKG ... : install the Debian packages whose command is missing
# (as root), then stop and disable the services those packages start.
need_pkgs() {
	local missing=() cp cmd pkg
	for cp in "$@"; do
		cmd=${cp%%:*} pkg=${cp#*:}
		command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		log "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
		return 1
	fi
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"${RES:-/tmp}/apt.log" 2>&1; then
		log "apt-get install failed, see ${RES:-/tmp}/apt.log"
		return 1
	fi
	stop_system_services
}

# The Debian packages start their own services on their default ports (80,
# 6081, 8080): the bench runs private instances, so stop and disable those.
stop_system_services() {
	local s
	for s in nginx varnish varnishncsa trafficserver; do
		[ -e "/etc/init.d/$s" ] || [ -e "/lib/systemd/system/$s.service" ] || continue
		if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
			systemctl disable --now "$s" >/dev/null 2>&1 || true
		elif [ -x "/etc/init.d/$s" ]; then
			"/etc/init.d/$s" stop >/dev/null 2>&1 || true
			command -v update-rc.d >/dev/null 2>&1 && update-rc.d "$s" disable >/dev/null 2>&1 || true
		fi
	done
}

# --- CPU pinning -------------------------------------------------------------

# SERVER_CPU runs the server under test, CLIENT_CPU the load generator and the
# origin (which is idle on hits). With fewer than 2 CPUs nothing is pinned.
setup_cpus() {
	local n
	n=$(nproc 2>/dev/null || echo 1)
	SERVER_CPU=${BENCH_SERVER_CPU:-0}
	CLIENT_CPU=${BENCH_CLIENT_CPU:-1}
	if [ "$n" -lt 2 ] || ! command -v taskset >/dev/null 2>&1; then
		log "warning: $n CPU(s) or no taskset: processes are not pinned"
		PIN_SERVER=() PIN_CLIENT=()
	else
		PIN_SERVER=(taskset -c "$SERVER_CPU") PIN_CLIENT=(taskset -c "$CLIENT_CPU")
	fi
}

# --- ports -------------------------------------------------------------------

# A port below the kernel's ephemeral range that nothing listens on and that
# this run has not handed out yet. A server that still fails to bind it (a
# race with another run) is restarted on another one by the caller.
USED_PORTS=" "
pick_port() {
	local lo hi p i
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
	[ "$lo" -gt 12000 ] || lo=32768
	for i in $(seq 1 200); do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % (lo - 10000)))
		case $USED_PORTS in *" $p "*) continue ;; esac
		if [ -z "$(ss -Htln "sport = :$p" 2>/dev/null)" ]; then
			USED_PORTS="$USED_PORTS$p "
			echo "$p"
			return 0
		fi
	done
	return 1
}

# wait_http PORT PID SECONDS [PATH]: until the server answers 200 on PATH.
wait_http() {
	local port=$1 pid=$2 t=$(($3 * 10)) path=${4:-/1k} code
	while [ "$t" -gt 0 ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$port$path" 2>/dev/null)
		[ "$code" = 200 ] && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# --- processes -------------------------------------------------------------

# spawn LOGFILE CMD...: start CMD in the background, record its PID in PIDS
# and in $RES/pids, set SPAWNED to it.
spawn() {
	local logf=$1
	shift
	"$@" </dev/null >"$logf" 2>&1 &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
	[ -n "${RES:-}" ] && echo "$SPAWNED $*" >>"$RES/pids"
	return 0
}

# descendants PID: every PID below PID in the process tree.
descendants() {
	ps -e -o pid=,ppid= 2>/dev/null | awk -v root="$1" '
		{ kids[$2] = kids[$2] " " $1 }
		END { q = root; while (q != "") { split(q, a, " "); q = "";
			for (i in a) { n = split(kids[a[i]], k, " ");
				for (j = 1; j <= n; j++) { print k[j]; q = q " " k[j] } } } }'
}

# stop_pids PID...: SIGTERM each (whatever it started goes with it), SIGKILL
# whatever is left after 10 s, the descendants included, each by its PID.
stop_pids() {
	local pid kids="" t left
	for pid in "$@"; do
		kill -0 "$pid" 2>/dev/null || continue
		kids="$kids $(descendants "$pid")"
		kill -TERM "$pid" 2>/dev/null
	done
	for t in $(seq 1 100); do
		left=""
		for pid in "$@" $kids; do
			kill -0 "$pid" 2>/dev/null && left="$left $pid"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	for pid in $left; do
		kill -KILL "$pid" 2>/dev/null
	done
	for pid in "$@"; do
		wait "$pid" 2>/dev/null
	done
	return 0
}

stop_pid() { stop_pids "$1"; }

stop_all() {
	stop_pids "${PIDS[@]}"
	PIDS=()
}

# mem_kib PID FIELD...: each FIELD of /proc/<pid>/status (VmRSS, RssAnon,
# RssFile, RssShmem: kB) summed over PID and all its descendants (a peer's
# server processes: nginx's master and workers, varnishd's manager and
# child, traffic_manager and traffic_server), one sum per FIELD on one line.
# Memory that several of them map is counted once per process that maps it.
mem_kib() {
	local pid=$1 q files=()
	shift
	for q in "$pid" $(descendants "$pid"); do files+=("/proc/$q/status"); done
	cat "${files[@]}" 2>/dev/null | awk -v want="$*" '
		BEGIN { n = split(want, F, " ") }
		{ sub(/:$/, "", $1); s[$1] += $2 }
		END { for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), s[F[i]]; print "" }'
}

# rss_kib PID: resident memory of PID and all its descendants, KiB.
rss_kib() { mem_kib "$1" VmRSS; }

# cpu_ticks PID: user + system CPU time of PID and all its descendants (their
# threads included), in clock ticks (getconf CLK_TCK a second).
cpu_ticks() {
	local q s=0 f
	for q in "$1" $(descendants "$1"); do
		f=$(cat "/proc/$q/stat" 2>/dev/null) || continue
		f=${f##*) } # the fields after the command name
		set -- $f
		s=$((s + ${12} + ${13}))
	done
	echo "$s"
}

# --- content -----------------------------------------------------------------

BODY_1K=$(head -c 1024 /dev/zero | tr '\0' 'a')

# make_www DIR: the origin's files. /1k /16k /256k /4m.
make_www() {
	mkdir -p "$1"
	head -c 1024 /dev/zero | tr '\0' 'a' >"$1/1k"
	head -c 16384 /dev/zero | tr '\0' 'b' >"$1/16k"
	head -c 262144 /dev/zero | tr '\0' 'c' >"$1/256k"
	head -c 4194304 /dev/zero | tr '\0' 'd' >"$1/4m"
}

# nginx_conf MODE PREFIX PORT WWW [ORIGINPORT] > nginx.conf
#   origin: serves WWW, /u/* (1 KiB, cacheable), /d/* (the 16 KiB file,
#           cacheable), /nc/* (1 KiB, no-store), /bench-status
#           (stub_status: the origin's request count)
#   limit:  the same content, no status page (the "limit" row)
#   cache:  proxy_cache in front of ORIGINPORT (NGINX_ZONE, NGINX_MAX: the
#           keys zone and the cache's size; 64m and 1g unless set)
#   proxy:  proxy_pass to ORIGINPORT, no cache
nginx_conf() {
	local mode=$1 prefix=$2 port=$3 www=$4 origin=${5:-}
	local user=""
	[ "$(id -u)" = 0 ] && user="user root;"
	cat <<EOF
# generated by tests/bench ($mode)
$user
worker_processes 1;
daemon off;
master_process on;
pid $prefix/nginx.pid;
error_log $prefix/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; multi_accept on; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 120s;
    keepalive_requests 100000000;
    default_type application/octet-stream;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
EOF
	case $mode in
	origin | limit)
		cat <<EOF
    open_file_cache max=64 inactive=3600s;
    open_file_cache_valid 3600s;
    server {
        listen 127.0.0.1:$port backlog=4096;
        root $www;
        add_header Cache-Control "max-age=3600";
        location /u/ { add_header Cache-Control "max-age=3600"; return 200 "$BODY_1K"; }
        location /d/ { rewrite ^ /16k break; }
        location /nc/ { add_header Cache-Control "no-store"; return 200 "$BODY_1K"; }
EOF
		[ "$mode" = origin ] && echo "        location = /bench-status { stub_status; }"
		echo "    }"
		;;
	cache | proxy)
		[ "$mode" = cache ] && echo "    proxy_cache_path $prefix/cache levels=1:2 keys_zone=bench:${NGINX_ZONE:-64m} max_size=${NGINX_MAX:-1g} inactive=1d use_temp_path=off;"
		cat <<EOF
    upstream origin { server 127.0.0.1:$origin; keepalive 128; }
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
EOF
		[ "$mode" = cache ] && echo "            proxy_cache bench;"
		echo "        }"
		echo "    }"
		;;
	esac
	echo "}"
}

# start_nginx MODE DIR PORT WWW ORIGINPORT PIN...: one nginx in DIR.
start_nginx() {
	local mode=$1 dir=$2 port=$3 www=$4 origin=$5
	shift 5
	mkdir -p "$dir/tmp"
	nginx_conf "$mode" "$dir" "$port" "$www" "$origin" >"$dir/nginx.conf"
	spawn "$dir/stderr.log" "$@" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf"
}

# origin_requests PORT: requests the origin has answered so far.
origin_requests() {
	curl -s -m 5 "http://127.0.0.1:$1/bench-status" | awk 'NR == 3 { print $3 }'
}

# median of the numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
