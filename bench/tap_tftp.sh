#!/usr/bin/env bash
# Host TFTP throughput of our stack over a TAP: mpxe-net tftp get of a 64 MiB
# random file from atftpd and tftpd-hpa, windowsize 1 (lock-step) and 16, blksize
# 1468 (our default), RUNS times each.
#
#   sudo bench/tap_tftp.sh [path/to/mpxe-net] [RUNS]
#
# Both servers run at once in a private namespace (tests/interop/netns_lib.sh),
# atftpd on 10.77.0.1:69 and tftpd-hpa on 10.77.0.1:1069, so the four
# configurations are interleaved round by round and a change in the machine's
# load hits all of them alike. tftpd-hpa has no windowsize (it drops the option
# and the transfer is lock-step again): its windowsize-16 row measures that fall
# back. Every download is checked by SHA-256.
#
# Writes bench/results/host-tftp-<date>.json (every run's figures, the machine,
# the versions) and bench/results/host-tftp-<date>.md (the table it prints:
# medians, min-max and the spread as (max-min)/median).
# Environment: TFTPD_HPA (default: .tools/tftpd-hpa/usr/sbin/in.tftpd, as
# scripts/setup unpacks it), SIZE_MIB (64), OUT_DIR (bench/results).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SOURCE_DIR=$(cd "$HERE/.." && pwd)
MPXE_NET=${1:-$SOURCE_DIR/build/bin/mpxe-net}
RUNS=${2:-5}
SIZE_MIB=${SIZE_MIB:-64}
OUT_DIR=${OUT_DIR:-$SOURCE_DIR/bench/results}
HPA=${TFTPD_HPA:-$SOURCE_DIR/.tools/tftpd-hpa/usr/sbin/in.tftpd}
. "$SOURCE_DIR/tests/interop/netns_lib.sh"

[ -x "$MPXE_NET" ] || { echo "no mpxe-net at $MPXE_NET"; exit 2; }
command -v atftpd >/dev/null || skip "atftpd is not installed"
[ -x "$HPA" ] || skip "no tftpd-hpa at $HPA (scripts/setup unpacks it)"
command -v python3 >/dev/null || skip "no python3"

netns_setup
WORK=$(mktemp -d /tmp/mpxe-bench-tftp-XXXXXX)
ROOT=$WORK/root
mkdir -p "$ROOT"
chmod 755 "$WORK" "$ROOT"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  netns_cleanup
  rm -rf "$WORK"
}
trap cleanup EXIT

FILE=size${SIZE_MIB}m
head -c $((SIZE_MIB << 20)) /dev/urandom >"$ROOT/$FILE"
chmod 644 "$ROOT/$FILE"
SHA=$(sha256sum "$ROOT/$FILE" | cut -d' ' -f1)

ip netns exec "$NS" atftpd --daemon --no-fork --port 69 --bind-address "$HOST_IP" \
  --user root --group root --retry-timeout 1 --logfile /dev/null \
  --pidfile "$WORK/atftpd.pid" "$ROOT" &
pids+=($!)
ip netns exec "$NS" "$HPA" -L -u root -s "$ROOT" -a "$HOST_IP:1069" &
pids+=($!)
for port in 69 1069; do
  for _ in $(seq 50); do
    ip netns exec "$NS" ss -lun 2>/dev/null | grep -q "$HOST_IP:$port " && break
    sleep 0.1
  done
  ip netns exec "$NS" ss -lun | grep -q "$HOST_IP:$port " || { echo "no server on port $port"; exit 1; }
done

RAW=$WORK/raw.tsv
: >"$RAW"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq "$RUNS"); do
  for server in atftpd tftpd-hpa; do
    port=69
    [ "$server" = tftpd-hpa ] && port=1069
    for ws in 1 16; do
      out=$(ip netns exec "$NS" "$MPXE_NET" --tap "$TAP" --ip 10.77.0.2/24 --timeout 300 \
            tftp get "$FILE" --server "$HOST_IP" --port "$port" --windowsize "$ws" --linger 0.3 2>&1) || {
        echo "FAIL: $server windowsize $ws run $run"; echo "$out"; exit 1; }
      [ "$(sed -n 's/^sha256=//p' <<<"$out")" = "$SHA" ] || { echo "FAIL: $server ws $ws: wrong SHA-256"; exit 1; }
      # "FILE: N bytes in T s, R MB/s (blksize B, windowsize W)" and the counters.
      line=$(grep -m1 ' bytes in ' <<<"$out")
      counters=$(grep -m1 '^blocks ' <<<"$out")
      bytes=$(sed -E 's/.*: ([0-9]+) bytes in.*/\1/' <<<"$line")
      secs=$(sed -E 's/.* bytes in ([0-9.]+) s,.*/\1/' <<<"$line")
      neg_ws=$(sed -E 's/.*windowsize ([0-9]+).*/\1/' <<<"$line")
      neg_blk=$(sed -E 's/.*blksize ([0-9]+),.*/\1/' <<<"$line")
      rexmit=$(sed -E 's/.*retransmits ([0-9]+),.*/\1/' <<<"$counters")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$server" "$ws" "$neg_blk" "$neg_ws" \
        "$bytes" "$secs" "$rexmit" >>"$RAW"
      printf '  run %s %-9s ws %-2s -> %s\n' "$run" "$server" "$ws" "${line#*: }"
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

mkdir -p "$OUT_DIR"
DATE=$(date -u +%Y-%m-%d)
export RAW DATE OUT_DIR RUNS SIZE_MIB load_before load_after
export COMMIT=$(git -C "$SOURCE_DIR" rev-parse --short HEAD 2>/dev/null || echo unknown)
export DIRTY=$(git -C "$SOURCE_DIR" status --porcelain --untracked-files=no 2>/dev/null | head -c1)
export ATFTPD_VERSION=$(dpkg-query -W -f='${Version}' atftpd 2>/dev/null || echo unknown)
export HPA_VERSION=$("$HPA" -V 2>&1 | head -1 | sed -E 's/^tftp-hpa ([^,]+).*/\1/')
export CPU=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
export NPROC=$(nproc)
export KERNEL=$(uname -r)
python3 - <<'PY'
import json, os, statistics

rows = []
with open(os.environ["RAW"]) as f:
    for line in f:
        run, server, ws, blk, neg_ws, size, secs, rexmit = line.rstrip("\n").split("\t")
        rows.append({"run": int(run), "server": server, "windowsize_asked": int(ws),
                     "blksize": int(blk), "windowsize": int(neg_ws), "bytes": int(size),
                     "seconds": float(secs), "mb_per_s": int(size) / 1e6 / float(secs),
                     "retransmits": int(rexmit)})

summary = []
for server in ("atftpd", "tftpd-hpa"):
    for ws in (1, 16):
        sel = [r for r in rows if r["server"] == server and r["windowsize_asked"] == ws]
        secs = [r["seconds"] for r in sel]
        rates = [r["mb_per_s"] for r in sel]
        med = statistics.median(secs)
        summary.append({"server": server, "windowsize_asked": ws,
                        "windowsize": sel[0]["windowsize"], "blksize": sel[0]["blksize"],
                        "runs": len(sel), "median_s": med, "min_s": min(secs), "max_s": max(secs),
                        "spread": (max(secs) - min(secs)) / med,
                        "median_mb_per_s": statistics.median(rates),
                        "retransmits": sum(r["retransmits"] for r in sel)})

date, size = os.environ["DATE"], int(os.environ["SIZE_MIB"])
env = {"date": date, "commit": os.environ["COMMIT"] + ("-dirty" if os.environ["DIRTY"] else ""),
       "cpu": os.environ["CPU"], "nproc": int(os.environ["NPROC"]), "kernel": os.environ["KERNEL"],
       "atftpd": os.environ["ATFTPD_VERSION"], "tftpd_hpa": os.environ["HPA_VERSION"],
       "loadavg_before": os.environ["load_before"], "loadavg_after": os.environ["load_after"]}
lines = [
    f"# Host TFTP throughput over a TAP ({date})",
    "",
    f"`bench/tap_tftp.sh`: mpxe-net tftp get of a {size} MiB random file over a TAP in a",
    "network namespace, blksize 1468, from atftpd (port 69) and tftpd-hpa (port 1069) running",
    f"side by side; {os.environ['RUNS']} interleaved runs per row. Time = RRQ to last block.",
    f"Commit {env['commit']}; {env['cpu']}, {env['nproc']} cores, kernel {env['kernel']};",
    f"atftpd {env['atftpd']}, tftpd-hpa {env['tftpd_hpa']}; load average {env['loadavg_before']}",
    f"before, {env['loadavg_after']} after (the machine is shared: read the ratios).",
    "",
    "| server | windowsize asked | negotiated | median | min - max | spread | median rate | retransmits (all runs) |",
    "|---|---|---|---|---|---|---|---|",
]
for s in summary:
    lines.append(f"| {s['server']} | {s['windowsize_asked']} | {s['windowsize']} | "
                 f"{s['median_s']:.3f} s | {s['min_s']:.3f} - {s['max_s']:.3f} s | "
                 f"{100 * s['spread']:.0f}% | {s['median_mb_per_s']:.1f} MB/s | {s['retransmits']} |")
table = "\n".join(lines) + "\n"
print()
print(table)
base = os.path.join(os.environ["OUT_DIR"], f"host-tftp-{date}")
with open(base + ".json", "w") as f:
    json.dump({"environment": env, "file_mib": size, "summary": summary, "runs": rows}, f, indent=2)
    f.write("\n")
with open(base + ".md", "w") as f:
    f.write(table)
print(f"wrote {base}.json and {base}.md")
PY
