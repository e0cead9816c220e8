"""Turns a recorded `mpxe run` (capture.py) into the benchmark's figures.

Pure functions, no I/O: the unit test (tests/unit/bench/test_parse.py) runs them on
recorded captures and checks every figure exactly. Times are integer microseconds on
the recording's own clock (0 = the runner was started).

Lines come out of the console the way the runner's own scanner cuts them
(host/runner/serial_scanner.cpp): escape sequences dropped, backspaces applied, a line
ended by CR, LF, a cursor placement or a screen clear; empty lines skipped. Each line
carries when its first byte arrived (start) and when the byte ending it arrived (end).

Lines the figures come from (Debian 12 OVMF 2022.11, iPXE 1.0.0+git-20190125, mpxe):
  stderr  mpxe: booting ... (--stack S, --nic N, C cores, ...)   just before QEMU starts
  all     mpsh 0.1.0 - mpxe shell                                the payload's first line
  mpxe    mpxe: file 'mpsh-64M.efi' 67108864 bytes     (the size is known: the
          mpxe: [####....] 5.3/64.0 MiB 27.9 MB/s        download starts; progress
          sha256=1419e8cf...                             redraws after a CR; the hash
          mpxe: summary: dhcp 4 ms, size 10 ms, tftp 28 ms   line, printed only when a
                                                         digest was asked for, ends
                                                         the download)
              (59392 bytes, 2.1 MB/s, blksize 1428, window 1, 0 retransmits)
          mpxe: summary: dhcp 5 ms, size 30 ms, http 2981 ms  (HTTP boot URL)
              (268435456 bytes, 90.0 MB/s, 4 connections)
          mpxe: profile: BSP copy N ms, BSP hash N ms, sha256 ready N ms after the last
              block; ...   (the hash still to finish once the last byte is in: the
                            boot waits for it)
          The summary's times come from the driver's own clock (TSC calibrated
          against a 5 ms Stall); the host's clock between the lines is kept apart.
  OVMF     NBP filesize is 67108864 Bytes
           Downloading NBP file...
           NBP file downloaded successfully.
  OVMF    Downloading...12%                   HTTP boot (HttpBootDxe): redrawn after
  (HTTP)  BdsDxe: loading Boot0000 "..." ...  bare CRs; BDS says "loading" once the
                                              whole file is in its buffer, on the same
                                              line as "Downloading...100%" (no line
                                              break between them), so both are found
                                              in the raw stream, timed by the chunk
                                              that holds their first byte
  iPXE    tftp://10.0.2.2/big.efi... ok       (the URL part is printed when the
          http://10.0.2.2:8080/big.efi... ok  download starts, " ok" when it ends)
"""

import re
from dataclasses import dataclass

BOOTING_RE = re.compile(r"^mpxe: booting ")
BANNER_RE = re.compile(r"^mpsh (\S+) - mpxe shell")
SUMMARY_RE = re.compile(
    r"mpxe: summary: dhcp (\d+) ms, size (\d+) ms, tftp (\d+) ms \((\d+) bytes, "
    r"(\d+\.\d) MB/s, blksize (\d+), window (\d+), (\d+) retransmits\)")
HTTP_SUMMARY_RE = re.compile(
    r"mpxe: summary: dhcp (\d+) ms, size (\d+) ms, http (\d+) ms \((\d+) bytes, "
    r"(\d+\.\d) MB/s, (\d+) connections?\)")
PROFILE_RE = re.compile(
    r"mpxe: profile: BSP copy (\d+) ms, BSP hash (\d+) ms, sha256 ready (\d+) ms after the "
    r"last block; sha256 of (\d+) KiB on the BSP, (\d+) KiB on APs")
MPXE_FILE_RE = re.compile(r"^mpxe: file '(.*)' (\d+) bytes")
MPXE_HASH_RE = re.compile(r"^sha256=[0-9a-f]{64}")
# The sizes take the unit the total fits: "100/512 B", "30.0/58.0 KiB", "5.3/64.0 MiB".
MPXE_PROGRESS_RE = re.compile(r"^mpxe: \[[#.]*\] (\d+)(?:\.(\d))?/\d+(?:\.\d)? (B|KiB|MiB|GiB) ")
UNIT_BYTES = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}
OVMF_SIZE_RE = re.compile(r"NBP filesize is (\d+) Bytes")
OVMF_START = "Downloading NBP file..."
OVMF_DONE = "NBP file downloaded successfully."
OVMF_HTTP_START = b"Downloading..."
OVMF_HTTP_DONE = b"BdsDxe: loading Boot"
IPXE_URL_RE = re.compile(r"((?:tftp|http|https)://\S+?)\.\.\.")
IPXE_OK_RE = re.compile(r"\.\.\. ?ok\s*$|^\s*ok\s*$")


@dataclass
class Line:
    start_us: int
    end_us: int
    text: str


class LineCleaner:
    """Splits timed chunks of console bytes into timed, cleaned lines."""

    def __init__(self):
        self.lines = []
        self._buf = []
        self._start = None
        self._esc = None  # None, "esc", "csi", "charset"

    def _end(self, t):
        if self._buf:
            self.lines.append(Line(self._start, t, "".join(self._buf)))
        self._buf = []
        self._start = None

    def feed(self, t_us, data):
        for b in data:
            c = chr(b)
            if self._esc == "esc":
                self._esc = "csi" if c == "[" else "charset" if c in "()" else None
                continue
            if self._esc == "charset":
                self._esc = None
                continue
            if self._esc == "csi":
                if 0x40 <= b <= 0x7E:
                    self._esc = None
                    if c in "HJf":  # cursor placement, screen clear: new text on screen
                        self._end(t_us)
                continue
            if b == 0x1B:
                self._esc = "esc"
            elif c in "\r\n":
                self._end(t_us)
            elif c == "\b":
                if self._buf:
                    self._buf.pop()
                if not self._buf:
                    self._start = None
            elif c == "\t" or b >= 0x20:
                if not self._buf:
                    self._start = t_us
                self._buf.append(c)

    def finish(self, t_us):
        self._end(t_us)
        return self.lines


def console_lines(chunks, fd="out"):
    """The cleaned, timed lines of one stream of a capture's chunks."""
    cleaner = LineCleaner()
    last = 0
    for t, stream, data in chunks:
        if stream == fd:
            cleaner.feed(t, data)
            last = t
    return cleaner.finish(last)


def _stream_times(chunks, fd, first, then):
    """When the first byte of FIRST arrived in stream FD, and the first byte of THEN
    after it: (t_us, t_us), or None. Raw bytes, not lines: for text that shares a line
    with something printed earlier."""
    data = bytearray()
    starts = []  # (offset, t_us) of each chunk
    for t, stream, chunk in chunks:
        if stream == fd:
            starts.append((len(data), t))
            data += chunk
    a = data.find(first)
    b = data.find(then, a + len(first)) if a >= 0 else -1
    if b < 0:
        return None

    def time_of(offset):
        return max((t for o, t in starts if o <= offset), default=None)

    return time_of(a), time_of(b)


def _first(lines, predicate):
    for line in lines:
        if predicate(line):
            return line
    return None


def analyze(cap):
    """Figures of one recorded run. Keys absent when the run did not show them:
      exit            the runner's status
      wall_us         runner start to runner exit
      poweron_us      when "mpxe: booting" arrived (QEMU is started right after it)
      payload_us      power-on to the payload's first line (its end)
      payload_version the version mpsh printed
      summary         mpxe's summary line, as a dict (mb_s is the printed text): tftp_ms,
                      blksize, window, retransmits over TFTP; http_ms, connections over
                      HTTP
      profile         mpxe's profile line: bsp_copy_ms, bsp_hash_ms, hash_tail_ms (sha256
                      ready that long after the last block: the boot waits for it),
                      bsp_hashed_kib, ap_hashed_kib
      ovmf_size       OVMF's NBP filesize
      fw_download_us  download time on the host's clock between console lines: mpxe's
                      "file ... bytes" to "sha256=", OVMF's "Downloading" to
                      "downloaded", iPXE's URL line from its first byte to its " ok";
                      OVMF over HTTP from the first byte of its first "Downloading..."
                      to the first byte of "BdsDxe: loading Boot" after it (raw stream)
      fw_download_from where fw_download_us came from: mpxe-lines, ovmf-lines,
                      ovmf-http-lines, ipxe-line
      hash_wait_us    mpxe: host clock from the first byte of its last progress line
                      (printed once the last byte is in) to the first byte of "sha256=":
                      the hash tail plus stopping the APs, as the host sees it
      progress_us     mpxe: host clock from its first progress line to its last (each
      progress_bytes  timed by its first byte) and the bytes between them (the lines
                      count tenths of their unit, B to GiB). mpxe's "file" line comes before the firmware
                      allocates the buffer, so this is the host's view of the transfer
                      alone, to check the driver's own clock in its summary against.
      ipxe_url        the URL iPXE fetched
    """
    out = {}
    if cap.exit_status is not None:
        out["exit"] = cap.exit_status
        out["wall_us"] = cap.exit_us
    err = console_lines(cap.chunks, "err")
    booting = _first(err, lambda l: BOOTING_RE.search(l.text))
    if booting:
        out["poweron_us"] = booting.start_us
    lines = console_lines(cap.chunks, "out")

    banner = _first(lines, lambda l: BANNER_RE.search(l.text))
    if banner:
        out["payload_version"] = BANNER_RE.search(banner.text).group(1)
        if booting:
            out["payload_us"] = banner.end_us - booting.start_us

    summary = _first(lines, lambda l: SUMMARY_RE.search(l.text))
    if summary:
        g = SUMMARY_RE.search(summary.text).groups()
        out["summary"] = {
            "dhcp_ms": int(g[0]), "size_ms": int(g[1]), "tftp_ms": int(g[2]),
            "bytes": int(g[3]), "mb_s": g[4], "blksize": int(g[5]), "window": int(g[6]),
            "retransmits": int(g[7]),
        }
    summary = _first(lines, lambda l: HTTP_SUMMARY_RE.search(l.text))
    if summary and "summary" not in out:
        g = HTTP_SUMMARY_RE.search(summary.text).groups()
        out["summary"] = {
            "dhcp_ms": int(g[0]), "size_ms": int(g[1]), "http_ms": int(g[2]),
            "bytes": int(g[3]), "mb_s": g[4], "connections": int(g[5]),
        }
    profile = _first(lines, lambda l: PROFILE_RE.search(l.text))
    if profile:
        g = [int(x) for x in PROFILE_RE.search(profile.text).groups()]
        out["profile"] = {"bsp_copy_ms": g[0], "bsp_hash_ms": g[1], "hash_tail_ms": g[2],
                          "bsp_hashed_kib": g[3], "ap_hashed_kib": g[4]}
    start = _first(lines, lambda l: MPXE_FILE_RE.search(l.text))
    done = _first(lines, lambda l: MPXE_HASH_RE.search(l.text))
    if start and done:
        out["fw_download_us"] = done.end_us - start.end_us
        out["fw_download_from"] = "mpxe-lines"

    last_progress = None
    for line in lines:
        if MPXE_PROGRESS_RE.search(line.text):
            last_progress = line
        elif last_progress and MPXE_HASH_RE.search(line.text):
            out["hash_wait_us"] = line.start_us - last_progress.start_us
            break

    progress = [(l.start_us, MPXE_PROGRESS_RE.search(l.text)) for l in lines]
    # Bytes in tenths of a byte: a line shows tenths of its unit (B: whole bytes).
    progress = [(t, (int(m.group(1)) * 10 + int(m.group(2) or 0)) * UNIT_BYTES[m.group(3)])
                for t, m in progress if m]
    if len(progress) >= 2 and progress[-1][0] > progress[0][0]:
        out["progress_us"] = progress[-1][0] - progress[0][0]
        out["progress_bytes"] = (progress[-1][1] - progress[0][1]) // 10

    size = _first(lines, lambda l: OVMF_SIZE_RE.search(l.text))
    if size:
        out["ovmf_size"] = int(OVMF_SIZE_RE.search(size.text).group(1))
    start = _first(lines, lambda l: OVMF_START in l.text)
    done = _first(lines, lambda l: OVMF_DONE in l.text)
    if start and done and "fw_download_us" not in out:
        out["fw_download_us"] = done.end_us - start.end_us
        out["fw_download_from"] = "ovmf-lines"
    times = _stream_times(cap.chunks, "out", OVMF_HTTP_START, OVMF_HTTP_DONE)
    if times and "fw_download_us" not in out:
        out["fw_download_us"] = times[1] - times[0]
        out["fw_download_from"] = "ovmf-http-lines"

    # iPXE: the line that names the URL may be cut (progress redraws); the download
    # ends at the first line after its start that reads "... ok" or "ok".
    for i, line in enumerate(lines):
        m = IPXE_URL_RE.search(line.text)
        if not m or "fw_download_us" in out:
            continue
        for later in lines[i:]:
            if IPXE_OK_RE.search(later.text):
                out["ipxe_url"] = m.group(1)
                out["fw_download_us"] = later.end_us - line.start_us
                out["fw_download_from"] = "ipxe-line"
                break
        break
    return out
