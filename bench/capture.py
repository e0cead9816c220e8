"""Runs one `mpxe run` and records what it prints, chunk by chunk, with the time each
chunk arrived (monotonic clock, microseconds since the runner was started).

The runner streams the VM's serial console to its stdout as QEMU emits it and says
"mpxe: booting ..." on stderr just before it starts QEMU, so the recording holds
power-on and every console line with its arrival time. serial_parse.py turns a
recording into figures; a recording saved as JSON lines (save_capture) can be parsed
again later, which is what the unit test does with the ones under
tests/unit/bench/logs/.

Format, one JSON object a line:
  {"capture": "mpxe-bench", "version": 1, "argv": [...], ...}   header (free-form keys)
  {"t_us": 1234, "fd": "out", "data": "..."}                      a chunk; data is the
                                                                  bytes as latin-1
  {"t_us": 98765, "exit": 0}                                      the runner's status
"""

import json
import os
import selectors
import signal
import subprocess
import time


class Capture:
    def __init__(self, header=None, chunks=None, exit_status=None, exit_us=None):
        self.header = dict(header or {})
        self.chunks = list(chunks or [])  # (t_us, "out"|"err", bytes)
        self.exit_status = exit_status
        self.exit_us = exit_us


def run_capture(argv, timeout_s, env=None, header=None):
    """Runs ARGV (an `mpxe run ...` command) to its end and returns a Capture.

    TIMEOUT_S is a backstop above the runner's own --timeout: past it the runner gets
    SIGTERM (it stops QEMU itself) and the status records that."""
    cap = Capture(header=dict(header or {}, argv=list(argv)))
    start = time.monotonic_ns()

    def now_us():
        return (time.monotonic_ns() - start) // 1000

    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ, "out")
        sel.register(proc.stderr, selectors.EVENT_READ, "err")
        open_streams = 2
        deadline = time.monotonic() + timeout_s
        while open_streams:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.send_signal(signal.SIGTERM)
                deadline = time.monotonic() + 30
                cap.header["killed"] = "backstop timeout"
                continue
            for key, _ in sel.select(timeout=min(left, 1.0)):
                data = os.read(key.fileobj.fileno(), 65536)
                t = now_us()
                if not data:
                    sel.unregister(key.fileobj)
                    open_streams -= 1
                    continue
                cap.chunks.append((t, key.data, data))
        cap.exit_status = proc.wait()
        cap.exit_us = now_us()
    finally:
        if proc.poll() is None:  # interrupted: let the runner stop its QEMU
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    return cap


def coalesce(chunks, within_us):
    """Joins each chunk to the one before it when both come from the same stream less
    than WITHIN_US apart (the joined chunk keeps the earlier time). Firmware consoles
    often arrive a byte at a time; 1 ms keeps a saved recording small and every time in
    it within 1 ms of the truth."""
    out = []
    for t, fd, data in chunks:
        if out and out[-1][1] == fd and t - out[-1][0] < within_us:
            out[-1] = (out[-1][0], fd, out[-1][2] + data)
        else:
            out.append((t, fd, data))
    return out


def save_capture(cap, path, within_us=1000):
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(dict(cap.header, capture="mpxe-bench", version=1)) + "\n")
        for t, fd, data in coalesce(cap.chunks, within_us):
            f.write(json.dumps({"t_us": t, "fd": fd, "data": data.decode("latin-1")}) + "\n")
        if cap.exit_status is not None:
            f.write(json.dumps({"t_us": cap.exit_us, "exit": cap.exit_status}) + "\n")


def load_capture(path):
    cap = Capture()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f):
            if not line.strip():
                continue
            obj = json.loads(line)
            if n == 0:
                if obj.get("capture") != "mpxe-bench":
                    raise ValueError(f"{path}: not an mpxe-bench capture")
                cap.header = obj
            elif "exit" in obj:
                cap.exit_status, cap.exit_us = obj["exit"], obj["t_us"]
            else:
                cap.chunks.append((obj["t_us"], obj["fd"], obj["data"].encode("latin-1")))
    return cap
