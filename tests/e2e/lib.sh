# Shared helpers for the end-to-end tests: each test script sources this, runs
# `mpxe run` once or more against real QEMU + OVMF, and checks its exit status and
# serial log. Exit 77 means "skipped" (CTest SKIP_RETURN_CODE).
#   MPXE            the runner binary (set by tests/e2e/CMakeLists.txt)
#   MPXE_BUILD_DIR  the build tree holding firmware/ and rom/
set -u

MPXE=${MPXE:?MPXE must name the mpxe binary}
MPXE_BUILD_DIR=${MPXE_BUILD_DIR:?MPXE_BUILD_DIR must name the build tree}
export MPXE_BUILD_DIR
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mpxe-e2e-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILED=0
STATUS=

skip() {
  echo "SKIP: $*"
  exit 77
}

fail() {
  echo "FAIL: $*"
  FAILED=1
}

require_machine() {
  command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"
  [[ -f /usr/share/OVMF/OVMF_CODE_4M.fd ]] || skip "OVMF not installed"
  [[ -f $MPXE_BUILD_DIR/firmware/mpsh.efi ]] || skip "mpsh.efi not built"
}

# A TCP port on the host's loopback that nothing listens on (at the time of asking).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_port PORT: until something accepts on 127.0.0.1:PORT, at most 5 s.
wait_for_port() {
  for _ in $(seq 50); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)" 2>/dev/null && return 0
    sleep 0.1
  done
  fail "nothing listens on 127.0.0.1:$1"
}

# --http's server: nginx from PATH or Debian's /usr/sbin (as the runner looks).
require_nginx() {
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || skip "nginx not installed"
}

# write_nginx_conf DIR LISTEN ROOT [CERT KEY]: DIR/nginx.conf for one foreground
# nginx listening on LISTEN ("127.0.0.1:8080", "[fd00::1]:8080") and serving ROOT,
# over TLS 1.2 and 1.3 when CERT and KEY are given; its error log (at info) is
# DIR.log and its access log (a line per request, the client's address first)
# DIR.access.log.
write_nginx_conf() {
  local dir=$1 listen=$2 root=$3 tls=
  [[ $# -ge 5 ]] && tls=" ssl;
    ssl_certificate $4; ssl_certificate_key $5;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers HIGH:!aNULL:!MD5"
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
daemon off; master_process off; worker_processes 1;
pid $dir/nginx.pid; error_log $dir.log info;
events { worker_connections 16; }
http {
  access_log $dir.access.log;
  client_body_temp_path $dir/cb; proxy_temp_path $dir/px; fastcgi_temp_path $dir/fc;
  uwsgi_temp_path $dir/uw; scgi_temp_path $dir/sc;
  server {
    listen $listen$tls;
    root $root;
  }
}
CONF
}

# start_tls_nginx CERT KEY ROOT: a server of "the user's" for --boot-url https://:
# nginx on a free port of 127.0.0.1 with TLS 1.2 and 1.3, serving ROOT with CERT;
# sets TLS_PORT, TLS_NGINX_LOG (its error log, at info) and TLS_NGINX_ACCESS_LOG
# (a line per request), stopped at exit. Each call starts another server.
start_tls_nginx() {
  TLS_PORT=$(free_port)
  local dir=$WORK/tls-nginx-$TLS_PORT
  TLS_NGINX_LOG=$dir.log
  TLS_NGINX_ACCESS_LOG=$dir.access.log
  write_nginx_conf "$dir" "127.0.0.1:$TLS_PORT" "$3" "$1" "$2"
  "$(command -v nginx || echo /usr/sbin/nginx)" -p "$dir" -e "$TLS_NGINX_LOG" -c "$dir/nginx.conf" &
  TLS_NGINX_PIDS="${TLS_NGINX_PIDS:-} $!"
  trap 'kill $TLS_NGINX_PIDS 2>/dev/null; rm -rf "$WORK"' EXIT
  wait_for_port "$TLS_PORT"
}

# start_ns_nginx ADDRESS PORT ROOT [CERT KEY]: nginx inside the test's namespace
# $NS (netns_lib.sh) on ADDRESS:PORT -- "[fd00::1]" for an IPv6 address, as
# nginx's listen takes it -- serving ROOT, over TLS 1.2 and 1.3 when CERT and KEY
# are given; sets NS_NGINX_LOG (its error log) and NS_NGINX_ACCESS_LOG (a line per
# request, the client's address first). It goes with the namespace
# (netns_cleanup stops whatever runs there).
start_ns_nginx() {
  local address=$1 port=$2
  local dir=$WORK/ns-nginx-$port
  NS_NGINX_LOG=$dir.log
  NS_NGINX_ACCESS_LOG=$dir.access.log
  write_nginx_conf "$dir" "$address:$port" "${@:3}"
  ip netns exec "$NS" "$(command -v nginx || echo /usr/sbin/nginx)" -p "$dir" -e "$NS_NGINX_LOG" \
    -c "$dir/nginx.conf" &
  for _ in $(seq 50); do
    ip netns exec "$NS" ss -ltn 2>/dev/null | grep -qF " $address:$port " && return 0
    sleep 0.1
  done
  fail "nginx does not listen on $address:$port in $NS"
  cat "$NS_NGINX_LOG"
}

# run_mpxe ARGS...: runs `mpxe run ARGS` headless with a timeout below CTest's, and
# records STATUS, $WORK/stdout (the console) and $WORK/stderr (the runner's lines).
# With RUN_NETNS set, inside that network namespace.
run_mpxe() {
  echo "+ mpxe run $*"
  local start=$SECONDS
  local -a prefix=()
  [[ -n ${RUN_NETNS:-} ]] && prefix=(ip netns exec "$RUN_NETNS")
  "${prefix[@]}" "$MPXE" run --headless --timeout 240 "$@" </dev/null >"$WORK/stdout" 2>"$WORK/stderr"
  STATUS=$?
  echo "  status $STATUS after $((SECONDS - start)) s"
  sed 's/^/  stderr: /' "$WORK/stderr"
}

# run_mpxe_in_ns ARGS...: run_mpxe inside the test's namespace $NS (netns_lib.sh).
run_mpxe_in_ns() {
  RUN_NETNS=$NS run_mpxe "$@"
}

# The serial log with escape sequences and CRs removed.
clean() {
  sed 's/\x1b\[[0-9;=?]*[A-Za-z]//g' "$1" | tr -d '\r'
}

expect_status() {
  [[ $STATUS == "$1" ]] || fail "exit status $STATUS, expected $1"
}

# expect_in FILE ERE: some cleaned line of FILE matches ERE.
expect_in() {
  [[ -f $1 ]] || { fail "$1 was not written"; return; }
  clean "$1" | grep -Eq -- "$2" || fail "no line matching /$2/ in $(basename "$1")"
}

# expect_stderr ERE: the runner's own output has a line matching ERE.
expect_stderr() {
  grep -Eq -- "$1" "$WORK/stderr" || fail "no runner line matching /$1/"
}

finish() {
  if ((FAILED)); then
    echo "---- serial console (cleaned, last 60 lines)"
    clean "$WORK/stdout" | grep -v '^$' | tail -60
    exit 1
  fi
  echo "PASS"
  exit 0
}
