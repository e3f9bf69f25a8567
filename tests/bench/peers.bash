# peers.bash: the servers under test. Sourced by run.sh after lib.bash.
#
# Each peer has a name (the row label), a Debian package, a check that says
# whether it can run here (and why not), and a start function that runs it in
# its own state directory DIR on PORT in front of the origin on ORIGIN_PORT,
# pinned to SERVER_CPU. A peer's start sets PEER_PID and PEER_PORT.
#
# PROFILE=main (the memory workloads and the memory phase):
#   accel           build/accel -s mem=256M -s lmdb=off (memory only)
#   accel-lmdb      build/accel -s mem=256M -s lmdb=DIR/lmdb,4G (once -h
#                   mentions lmdb)
#   varnish-malloc  varnishd -s malloc,256m
#   varnish-file    varnishd -s file,DIR/storage.bin,1g
#   nginx-cache     nginx proxy_cache (disk + page cache), keys_zone 64m
#   nginx-proxy     nginx proxy_pass, no cache (the pass-through reference)
#   ats             Apache Traffic Server 9, 256 MiB RAM cache + 1 GiB disk
#   limit           nginx serving the same content itself (no proxy at all)
# PROFILE=disk (zipf-disk, restart, disk use; the peers that keep objects on
# disk, each allowed 4 GiB of it; a RAM tier of 64 MiB where there is one):
#   accel-lmdb      -s mem=64M -s lmdb=DIR/lmdb,4G
#   nginx-cache     keys_zone 256m (room for 2M keys), max_size 4g
#   ats             64 MiB RAM cache, 4 GiB cache file, a directory entry per
#                   2 KiB of it, stats_over_http (/_stats); run under
#                   traffic_manager, stopped with traffic_ctl (ats_stop)
#   varnish-file    -s file,DIR/storage.bin,4g (an mmap'ed file: the page
#                   cache is its memory tier, not bounded; not persistent)

PEERS_ALL="accel accel-lmdb varnish-malloc varnish-file nginx-cache nginx-proxy ats limit"
DISK_PEERS_ALL="accel-lmdb nginx-cache ats varnish-file" # PROFILE=disk
PROFILE=main
REF_PEER=varnish-malloc # "x varnish" column
LIMIT_PEER=limit        # "x limit" column

ACCEL_BIN=${ACCEL_BIN:-$ROOT/build/accel}

# peer_pkgs NAME: CMD:PACKAGE pairs the peer needs.
peer_pkgs() {
	case $1 in
	accel | accel-lmdb) echo "curl:curl" ;;
	varnish-*) echo "varnishd:varnish" ;;
	nginx-* | limit) echo "nginx:nginx" ;;
	ats) echo "traffic_server:trafficserver" ;;
	esac
}

# accel_help: build/accel -h, cached (it documents the storage flags).
accel_help() {
	[ -n "${ACCEL_HELP+x}" ] || ACCEL_HELP=$("$ACCEL_BIN" -h 2>&1)
	printf '%s\n' "$ACCEL_HELP"
}

# accel_build: build/accel is made once per run (make bench does not build it).
accel_build() {
	[ -n "${ACCEL_BUILT:-}" ] && return "$ACCEL_BUILT"
	ACCEL_BUILT=0
	if [ "$ACCEL_BIN" = "$ROOT/build/accel" ]; then
		log "building build/accel"
		make -s -C "$ROOT" build/accel >"$RES/logs/accel-build.log" 2>&1 || ACCEL_BUILT=1
	fi
	[ -x "$ACCEL_BIN" ] || ACCEL_BUILT=1
	return "$ACCEL_BUILT"
}

# peer_check NAME: 0 if the peer can run; otherwise print why not.
peer_check() {
	case $1 in
	accel)
		accel_build || { echo "build/accel does not build (see logs/accel-build.log)"; return 1; }
		;;
	accel-lmdb)
		accel_build || { echo "build/accel does not build (see logs/accel-build.log)"; return 1; }
		accel_has_lmdb || { echo "skipped: build/accel -h does not mention lmdb yet (the LMDB tier does not exist)"; return 1; }
		;;
	varnish-*)
		command -v varnishd >/dev/null 2>&1 || [ -x /usr/sbin/varnishd ] || { echo "varnishd not installed"; return 1; }
		;;
	nginx-* | limit)
		command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { echo "nginx not installed"; return 1; }
		;;
	ats)
		command -v traffic_server >/dev/null 2>&1 || { echo "traffic_server not installed"; return 1; }
		;;
	*)
		echo "unknown peer"
		return 1
		;;
	esac
	return 0
}

# peer_start NAME DIR PORT: start it; PEER_PID, PEER_PORT.
peer_start() {
	local name=$1 dir=$2 port=$3
	PEER_PID="" PEER_PORT=$port
	mkdir -p "$dir"
	case $name in
	accel | accel-lmdb) start_accel "$name" "$dir" ;;
	varnish-malloc) start_varnish "$dir" "$port" malloc,256m ;;
	varnish-file)
		if [ "$PROFILE" = disk ]; then
			start_varnish "$dir" "$port" "file,$dir/storage.bin,4g"
		else
			start_varnish "$dir" "$port" "file,$dir/storage.bin,1g"
		fi
		;;
	nginx-cache)
		if [ "$PROFILE" = disk ]; then
			NGINX_ZONE=256m NGINX_MAX=4g start_nginx cache "$dir" "$port" "$WWW" "$ORIGIN_PORT" "${PIN_SERVER[@]}"
		else
			start_nginx cache "$dir" "$port" "$WWW" "$ORIGIN_PORT" "${PIN_SERVER[@]}"
		fi
		;;
	nginx-proxy) start_nginx proxy "$dir" "$port" "$WWW" "$ORIGIN_PORT" "${PIN_SERVER[@]}" ;;
	limit) start_nginx limit "$dir" "$port" "$WWW" "" "${PIN_SERVER[@]}" ;;
	ats) start_ats "$dir" "$port" ;;
	esac
	[ -n "$PEER_PID" ] || PEER_PID=$SPAWNED
}

# accel_has_lmdb: build/accel has the disk tier (-h mentions lmdb).
accel_has_lmdb() { accel_help | grep -q lmdb; }

# start_accel NAME DIR: on 127.0.0.1:ACCEL_PORT (0 unless set: the kernel
# chooses, and accel says which on stderr).
start_accel() {
	local name=$1 dir=$2 t args=() mem=256M
	args=(-a "127.0.0.1:${ACCEL_PORT:-0}" -b "127.0.0.1:$ORIGIN_PORT" -t 1 -n "$dir" -p access_log=off)
	[ "$PROFILE" = disk ] && mem=64M
	if accel_help | grep -q 'mem='; then args+=(-s "mem=$mem"); fi
	if [ "$name" = accel-lmdb ]; then
		args+=(-s "lmdb=$dir/lmdb,4G")
	elif accel_has_lmdb; then
		args+=(-s lmdb=off) # memory only, like varnish-malloc
	fi
	echo "${args[*]}" >"$dir/cmdline"
	spawn "$dir/stderr.log" "${PIN_SERVER[@]}" "$ACCEL_BIN" "${args[@]}"
	PEER_PID=$SPAWNED PEER_PORT=""
	for t in $(seq 1 100); do
		PEER_PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$dir/stderr.log" | head -n 1)
		[ -n "$PEER_PORT" ] && break
		kill -0 "$PEER_PID" 2>/dev/null || break
		sleep 0.1
	done
	[ -n "$PEER_PORT" ] || PEER_PORT=0
}

start_varnish() {
	local dir=$1 port=$2 storage=$3
	# -n: private working directory; -T none: no management port; -F: stay in
	# the foreground so that PEER_PID is the manager (it stops its child).
	spawn "$dir/stderr.log" "${PIN_SERVER[@]}" varnishd -F -n "$dir/varnish" -T none \
		-a "127.0.0.1:$port" -b "127.0.0.1:$ORIGIN_PORT" -s "$storage"
}

# Traffic Server: a private runroot (runroot.yaml) whose sysconfdir, runtime,
# log and cache directories all live in DIR, run as traffic_server directly.
start_ats() {
	local dir=$1 port=$2 u=trafficserver ram=268435456 size=1G
	[ "$PROFILE" = disk ] && ram=67108864 size=4G
	mkdir -p "$dir/etc" "$dir/run" "$dir/log" "$dir/cache" "$dir/var"
	cp -r /etc/trafficserver/. "$dir/etc/"
	cat >"$dir/runroot.yaml" <<EOF
prefix: $dir
exec_prefix: /usr
bindir: /usr/bin
sbindir: /usr/sbin
sysconfdir: $dir/etc
datadir: $dir/var
includedir: /usr/include
libdir: /usr/lib/trafficserver
libexecdir: /usr/lib/trafficserver/modules
localstatedir: $dir/var
runtimedir: $dir/run
logdir: $dir/log
cachedir: $dir/cache
EOF
	id "$u" >/dev/null 2>&1 || u=nobody
	cat >"$dir/etc/records.config" <<EOF
CONFIG proxy.config.http.server_ports STRING $port:ipv4:ip-in=127.0.0.1
CONFIG proxy.config.admin.user_id STRING $u
CONFIG proxy.config.exec_thread.autoconfig INT 0
CONFIG proxy.config.exec_thread.limit INT 1
CONFIG proxy.config.exec_thread.affinity INT 0
CONFIG proxy.config.accept_threads INT 0
CONFIG proxy.config.task_threads INT 1
CONFIG proxy.config.cache.threads_per_disk INT 8
CONFIG proxy.config.net.connections_throttle INT 10000
CONFIG proxy.config.url_remap.remap_required INT 1
CONFIG proxy.config.reverse_proxy.enabled INT 1
CONFIG proxy.config.log.logging_enabled INT 0
CONFIG proxy.config.cache.ram_cache.size INT $ram
CONFIG proxy.config.cache.ram_cache_cutoff INT 16777216
CONFIG proxy.config.http.insert_request_via_str INT 0
CONFIG proxy.config.http.insert_response_via_str INT 0
CONFIG proxy.config.http.keep_alive_no_activity_timeout_in INT 120
CONFIG proxy.config.http.keep_alive_no_activity_timeout_out INT 120
CONFIG proxy.config.http.server_session_sharing.match STRING both
CONFIG proxy.config.diags.debug.enabled INT 0
EOF
	if [ "$PROFILE" = disk ]; then
		# a directory entry per 2 KiB of cache (8000 by default): room for
		# the restart phase's 1M objects of 1 KiB; /_stats for the disk use
		echo "CONFIG proxy.config.cache.min_average_object_size INT 2048" >>"$dir/etc/records.config"
		echo "stats_over_http.so" >>"$dir/etc/plugin.config"
	fi
	echo "$dir/cache $size" >"$dir/etc/storage.config"
	echo "map http://127.0.0.1:$port/ http://127.0.0.1:$ORIGIN_PORT/" >"$dir/etc/remap.config"
	chown -R "$u" "$dir" 2>/dev/null
	if [ "$PROFILE" = disk ]; then
		# Under traffic_manager, as its service runs it, so that ats_stop can
		# stop it cleanly: `traffic_ctl server stop` writes the cache
		# directory to disk first. A SIGTERM to traffic_server does not, and
		# a restart then finds only what the last periodic sync (every 60 s)
		# recorded.
		echo "CONFIG proxy.config.proxy_binary_opts STRING -M --run-root=$dir/runroot.yaml" >>"$dir/etc/records.config"
		TS_RUNROOT=$dir/runroot.yaml spawn "$dir/stderr.log" "${PIN_SERVER[@]}" traffic_manager --run-root="$dir/runroot.yaml"
	else
		spawn "$dir/stderr.log" "${PIN_SERVER[@]}" traffic_server --run-root="$dir/runroot.yaml"
	fi
}

# ats_stop DIR PID: the clean stop of an ATS started with PROFILE=disk:
# traffic_ctl server stop (traffic_server syncs its cache directory and
# exits), then SIGTERM to traffic_manager (by the caller). Waits (60 s at
# most) for traffic_server to be gone.
ats_stop() {
	local dir=$1 pid=$2 q ts="" t
	for q in $(descendants "$pid"); do
		# its thread names hide it from comm: its command line says it
		case $(ps -o args= -p "$q" 2>/dev/null) in *bin/traffic_server*) ts=$q ;; esac
	done
	TS_RUNROOT=$dir/runroot.yaml traffic_ctl --run-root="$dir/runroot.yaml" server stop >>"$dir/traffic_ctl.log" 2>&1
	[ -n "$ts" ] || return 0
	for t in $(seq 1 600); do
		kill -0 "$ts" 2>/dev/null || return 0
		case $(ps -o stat= -p "$ts" 2>/dev/null) in Z*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}
