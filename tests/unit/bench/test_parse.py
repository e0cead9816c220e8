#!/usr/bin/env python3
"""Unit test of the benchmark's parsing and figures (bench/).

logs/ holds consoles recorded by `bench/run --captures DIR` from real boots on this
kind of machine (TCG, 4 cores): per stack the tiny boot file (mpsh.efi) and a 64 MiB one
over QEMU's TFTP, mpxe against atftpd with windowsize, and per stack a 64 MiB one over
HTTP (the runner's nginx; mpxe with 4 connections and its hash tail); and mpxe since it
starts the image from LoadFile and hashes only when asked, tiny and 256 MiB over HTTP
on e1000. Every figure the benchmark
extracts from them is checked exactly against values read off the recordings by hand. The times inside a recording are
data, fixed when it was recorded: nothing here measures or asserts a live duration.
"""

import importlib.machinery
import importlib.util
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(HERE, "..", "..", "..", "bench")
sys.path.insert(0, BENCH)

import capture  # noqa: E402
import serial_parse  # noqa: E402
from serial_parse import Line  # noqa: E402


def load_run_script():
    loader = importlib.machinery.SourceFileLoader("bench_run", os.path.join(BENCH, "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def log(name):
    return capture.load_capture(os.path.join(HERE, "logs", name))


class RecordedConsoles(unittest.TestCase):
    """Every figure of every recording under logs/, against the values read off the
    recordings by hand (the t_us of the chunks named in each comment)."""
    maxDiff = None

    def check(self, name, stack, expected):
        cap = log(name)
        self.assertEqual(cap.header["stack"], stack)
        self.assertEqual(serial_parse.analyze(cap), expected)

    def test_mpxe_virtio_tiny(self):
        self.check("mpxe-virtio-4c-tiny.jsonl", "mpxe", {
            "exit": 0, "wall_us": 3649831,
            "poweron_us": 2884,                   # "mpxe: booting" on stderr
            "payload_us": 3639029 - 2884,         # chunk ending "mpsh 0.1.0 - mpxe shell\r"
            "payload_version": "0.1.0",
            "summary": {"dhcp_ms": 5, "size_ms": 11, "tftp_ms": 4, "bytes": 59392,
                        "mb_s": "14.8", "blksize": 1428, "window": 1, "retransmits": 0},
            # "mpxe: file 'mpsh" + ".efi' 59392 bytes\r\n" (3625111) to "sha256=...\r\n"
            "fw_download_us": 3631700 - 3625111, "fw_download_from": "mpxe-lines",
            # its one progress line "\rmpxe: [###" (3628581) to "sha256=" (3631700)
            "hash_wait_us": 3631700 - 3628581,
            # one progress line only (0.0/0.0 MiB): no progress figure
        })

    def test_mpxe_virtio_64m(self):
        self.check("mpxe-virtio-4c-64M.jsonl", "mpxe", {
            "exit": 0, "wall_us": 7356515, "poweron_us": 2292,
            "payload_us": 7347841 - 2292, "payload_version": "0.1.0",
            "summary": {"dhcp_ms": 4, "size_ms": 10, "tftp_ms": 3176, "bytes": 67108864,
                        "mb_s": "21.1", "blksize": 1428, "window": 1, "retransmits": 0},
            "fw_download_us": 7103988 - 3592863, "fw_download_from": "mpxe-lines",
            # first progress line "4.1/64.0 MiB" at 4055721, last "64.0/64.0" begins at
            # 7101480 (its chunk is cut after "[#####")
            "progress_us": 7101480 - 4055721, "progress_bytes": (640 - 41) * (1 << 20) // 10,
            # the last progress line (7101480) to "sha256=", in the chunk at 7103988
            "hash_wait_us": 7103988 - 7101480,
        })

    def test_mpxe_virtio_64m_atftpd_windowsize(self):
        self.check("mpxe-virtio-4c-64M-atftpd.jsonl", "mpxe", {
            "exit": 0, "wall_us": 5978539, "poweron_us": 6179,
            "payload_us": 5969418 - 6179, "payload_version": "0.1.0",
            "summary": {"dhcp_ms": 6, "size_ms": 11, "tftp_ms": 1366, "bytes": 67108864,
                        "mb_s": "49.1", "blksize": 1468, "window": 16, "retransmits": 0},
            "fw_download_us": 5750753 - 4095689, "fw_download_from": "mpxe-lines",
            "progress_us": 5750753 - 4555686, "progress_bytes": (640 - 92) * (1 << 20) // 10,
            "hash_wait_us": 0,  # the last progress line and "sha256=" share one chunk
        })

    def test_ovmf_virtio_tiny(self):
        self.check("ovmf-virtio-4c-tiny.jsonl", "ovmf", {
            "exit": 0, "wall_us": 7694812, "poweron_us": 3385,
            "payload_us": 7689253 - 3385, "payload_version": "0.1.0",
            "ovmf_size": 59392,
            # " Downloading NBP file...\r\n" to "  NBP file downloaded successfully.\r\n"
            "fw_download_us": 7676319 - 7662493, "fw_download_from": "ovmf-lines",
        })

    def test_ovmf_virtio_64m(self):
        self.check("ovmf-virtio-4c-64M.jsonl", "ovmf", {
            "exit": 0, "wall_us": 20028995, "poweron_us": 4500,
            "payload_us": 20020446 - 4500, "payload_version": "0.1.0",
            "ovmf_size": 67108864,
            # "g NBP file...\r\n" ends the start line; "\n  NBP file downloaded
            # successfully.\r\n" comes in one chunk after a lone "\r"
            "fw_download_us": 19760477 - 8356456, "fw_download_from": "ovmf-lines",
        })

    def test_ipxe_e1000_tiny(self):
        self.check("ipxe-e1000-4c-tiny.jsonl", "ipxe", {
            "exit": 0, "wall_us": 10284405, "poweron_us": 5173,
            "payload_us": 10268641 - 5173, "payload_version": "0.1.0",
            # "tftp://10.0.2.2/mpsh" (first byte) to " ok\r\n"
            "ipxe_url": "tftp://10.0.2.2/mpsh.efi",
            "fw_download_us": 10230310 - 10224778, "fw_download_from": "ipxe-line",
        })

    def test_ipxe_e1000_64m(self):
        self.check("ipxe-e1000-4c-64M.jsonl", "ipxe", {
            "exit": 0, "wall_us": 10107658, "poweron_us": 4328,
            # the banner comes in two chunks: "mpsh 0.1.0 - " then "mpxe shell\r\n..."
            "payload_us": 10101247 - 4328, "payload_version": "0.1.0",
            # "tftp://10.0" at 8873664; " 82%", backspaces, then " ok\r\n" at 10065213
            "ipxe_url": "tftp://10.0.2.2/mpsh-64M.efi",
            "fw_download_us": 10065213 - 8873664, "fw_download_from": "ipxe-line",
        })

    # HTTP, the runner's nginx through QEMU's user network (--servers http). The
    # runner's stderr chunk holds its nginx line and "mpxe: booting" together.

    def test_mpxe_virtio_64m_http(self):
        self.check("mpxe-virtio-4c-64M-http.jsonl", "mpxe", {
            "exit": 0, "wall_us": 12732446, "poweron_us": 28414,
            "payload_us": 12671945 - 28414, "payload_version": "0.1.0",
            "summary": {"dhcp_ms": 6, "size_ms": 13, "http_ms": 1035, "bytes": 67108864,
                        "mb_s": "64.8", "connections": 4},
            # "mpxe: profile: BSP copy 0 ms, BSP hash 1426 ms, sha256 ready 1301 ms after
            # the last block; sha256 of 57024 KiB on the BSP, 8512 KiB on APs (...)"
            "profile": {"bsp_copy_ms": 0, "bsp_hash_ms": 1426, "hash_tail_ms": 1301,
                        "bsp_hashed_kib": 57024, "ap_hashed_kib": 8512},
            # "fi' 67108864 bytes (byte ranges accepted)\r\n" (9414503) to "sha256=..."
            "fw_download_us": 12179927 - 9414503, "fw_download_from": "mpxe-lines",
            # the last progress line "64.0/64.0" (10831672) to "sha256=" (12179927): the
            # host sees the hash tail the profile line reports (1301 ms)
            "hash_wait_us": 12179927 - 10831672,
            # first progress line "13.1/64.0 MiB" at 9986578
            "progress_us": 10831672 - 9986578,
            "progress_bytes": (640 - 131) * (1 << 20) // 10,
        })

    def test_ovmf_virtio_64m_http(self):
        # Trimmed: the chunks from "Downloading...12%" to "...84%" are left out.
        self.check("ovmf-virtio-4c-64M-http.jsonl", "ovmf", {
            "exit": 0, "wall_us": 31282560, "poweron_us": 21615,
            "payload_us": 31225411 - 21615, "payload_version": "0.1.0",
            # "\r  Downloading...1%" (16049393) to "BdsD" (30845212), which follows
            # "Downloading...100%" on the same line
            "fw_download_us": 30845212 - 16049393, "fw_download_from": "ovmf-http-lines",
        })

    def test_ipxe_virtio_64m_http(self):
        self.check("ipxe-virtio-4c-64M-http.jsonl", "ipxe", {
            "exit": 0, "wall_us": 18245588, "poweron_us": 24166,
            "payload_us": 18217478 - 24166, "payload_version": "0.1.0",
            # "://10.0.2.2:45473/mpsh-64M.efi\r\nhttp://10.0.2.2:45473/mps" (15377486)
            # starts the URL line; " 41%", " 75%", then " ok\r\n" at 18193539
            "ipxe_url": "http://10.0.2.2:45473/mpsh-64M.efi",
            "fw_download_us": 18193539 - 15377486, "fw_download_from": "ipxe-line",
        })

    def test_recordings_round_trip(self):
        # Saving a loaded recording again changes nothing (already coalesced).
        import tempfile
        names = sorted(os.listdir(os.path.join(HERE, "logs")))
        self.assertEqual(len(names), 12)
        for name in names:
            cap = log(name)
            with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as f:
                capture.save_capture(cap, f.name)
                again = capture.load_capture(f.name)
            self.assertEqual(again.chunks, cap.chunks, name)
            self.assertEqual((again.exit_status, again.exit_us), (cap.exit_status, cap.exit_us))
            self.assertEqual(serial_parse.analyze(again), serial_parse.analyze(cap), name)


class Cleaner(unittest.TestCase):
    def lines(self, chunks):
        return serial_parse.console_lines([(t, "out", d) for t, d in chunks])

    def test_line_times_are_first_and_last_byte(self):
        self.assertEqual(self.lines([(10, b"ab"), (20, b"c\r\n"), (30, b"d")]),
                         [Line(10, 20, "abc"), Line(30, 30, "d")])

    def test_escapes_backspaces_and_cursor_moves(self):
        data = b"\x1b[0m\x1b(Bone\x1b[01;01Htwo\x08\x08o\x1b[2Jthree\x1b[1;37mfour\n\n\r\n"
        self.assertEqual([l.text for l in self.lines([(1, data)])],
                         ["one", "to", "threefour"])

    def test_backspacing_a_line_away_restarts_its_time(self):
        self.assertEqual(self.lines([(1, b"x"), (2, b"\x08"), (3, b"y\n")]),
                         [Line(3, 3, "y")])

    def test_streams_are_separate(self):
        chunks = [(1, "err", b"mpxe: booting x\n"), (2, "out", b"mpsh 1.2 - mpxe shell\r\n")]
        self.assertEqual([l.text for l in serial_parse.console_lines(chunks, "err")],
                         ["mpxe: booting x"])

    def test_coalesce_joins_within_the_window(self):
        chunks = [(0, "out", b"a"), (400, "out", b"b"), (999, "out", b"c"), (1000, "out", b"d"),
                  (1001, "err", b"e"), (1002, "out", b"f")]
        self.assertEqual(capture.coalesce(chunks, 1000),
                         [(0, "out", b"abc"), (1000, "out", b"d"), (1001, "err", b"e"),
                          (1002, "out", b"f")])


class Figures(unittest.TestCase):
    def cap(self, chunks, status=0, end=None):
        return capture.Capture({}, chunks, status, end if end is not None else chunks[-1][0])

    def test_mpxe_summary_line(self):
        cap = self.cap([
            (100, "err", b"mpxe: booting /tmp/x/pxe/big.efi over QEMU's TFTP (--stack mpxe)\n"),
            (1000, "out", b"mpxe: file 'big.efi' 67108864 bytes\r\n"),
            (1200, "out", b"\rmpxe: [#.....] 1.0/64.0 MiB 9.9 MB/s "),
            (4000, "out", b"\rmpxe: [######] 64.0/64.0 MiB 28.0 MB/s \r\n"),
            (4900, "out", b"sha256=" + b"0f" * 32 + b"\r\n"),
            (5000, "out", b"mpxe: summary: dhcp 4 ms, size 10 ms, tftp 2392 ms (67108864 bytes, "
                          b"28.0 MB/s, blksize 1468, window 16, 3 retransmits)\r\n"),
            (7100, "out", b"mpsh 0.1.0 - mpxe shell\r\n"),
        ], end=9000)
        self.assertEqual(serial_parse.analyze(cap), {
            "exit": 0, "wall_us": 9000, "poweron_us": 100, "payload_us": 7000,
            "payload_version": "0.1.0",
            "summary": {"dhcp_ms": 4, "size_ms": 10, "tftp_ms": 2392, "bytes": 67108864,
                        "mb_s": "28.0", "blksize": 1468, "window": 16, "retransmits": 3},
            "fw_download_us": 3900, "fw_download_from": "mpxe-lines",
            "hash_wait_us": 4900 - 4000,
            "progress_us": 4000 - 1200, "progress_bytes": (640 - 10) * (1 << 20) // 10})

    def test_mpxe_progress_in_the_unit_of_the_total(self):
        def progress(*lines):
            chunks = [(100 * (i + 1), "out", b"\rmpxe: [#.....] " + line + b" 9.9 MB/s ")
                      for i, line in enumerate(lines)]
            out = serial_parse.analyze(self.cap(chunks, end=1000))
            return out.get("progress_us"), out.get("progress_bytes")
        self.assertEqual(progress(b"100/512 B", b"512/512 B"), (100, 412))
        self.assertEqual(progress(b"30.0/58.0 KiB", b"58.0/58.0 KiB"), (100, 28 << 10))
        self.assertEqual(progress(b"1.2/4.0 GiB", b"2.2/4.0 GiB", b"4.0/4.0 GiB"),
                         (200, (28 << 30) // 10))
        # more text on the line (HTTP adds each connection's share) does not disturb it
        self.assertEqual(progress(b"12.0/64.0 MiB 4 conns 3.0 3.0 3.0 3.0 MiB",
                                  b"64.0/64.0 MiB 4 conns 16.0 16.0 16.0 16.0 MiB"),
                         (100, (520 << 20) // 10))

    def test_ipxe_line_cut_by_progress(self):
        cap = self.cap([
            (0, "err", b"mpxe: booting x\n"),
            (50, "out", b"Configuring (net0 52:54:00:12:34:56)...... ok\r\n"),
            (100, "out", b"tftp://10.0.2.2/big.efi..."), (150, "out", b" 10%\x08\x08\x08\x08"),
            (900, "out", b"\x1b[1;1H ok\r\n"),
            (950, "out", b"mpsh 0.1.0 - mpxe shell\r\n"),
        ], status=7)
        f = serial_parse.analyze(cap)
        self.assertEqual((f["exit"], f["ipxe_url"], f["fw_download_us"], f["fw_download_from"]),
                         (7, "tftp://10.0.2.2/big.efi", 800, "ipxe-line"))

    def test_no_banner_no_payload_time(self):
        cap = self.cap([(0, "err", b"mpxe: booting x\n"), (10, "out", b"BdsDxe: failed\r\n"),
                        (20, "err", b"mpxe: boot failed: ... (status 109)\n")], status=109)
        self.assertEqual(serial_parse.analyze(cap),
                         {"exit": 109, "wall_us": 20, "poweron_us": 0})


class Summary(unittest.TestCase):
    """bench/run's medians, pairs and rates on made-up runs."""

    def test_interleaved_medians_and_pairs(self):
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe", "--nics", "virtio", "--cores", "4",
                            "--servers", "slirp", "--sizes", "64M", "--reps", "3"])
        configs, skipped = run.plan_configs(a)
        self.assertEqual((configs, skipped), ([("slirp", "mpxe", "virtio", 4, None, None)], []))
        plan = run.plan_runs(a, configs)
        self.assertEqual([(r["rep"], r["size"]) for r in plan],
                         [(0, "tiny"), (0, 64 << 20), (1, "tiny"), (1, 64 << 20),
                          (2, "tiny"), (2, 64 << 20)])
        walls = {(0, "tiny"): 10.0, (0, 64 << 20): 13.0, (1, "tiny"): 11.0,
                 (1, 64 << 20): 13.5, (2, "tiny"): 9.0, (2, 64 << 20): 12.0}
        records = []
        for r in plan:
            big = r["size"] != "tiny"
            fig = {"exit": 0, "wall_us": int(walls[(r["rep"], r["size"])] * 1e6),
                   "payload_us": int((walls[(r["rep"], r["size"])] - 0.5) * 1e6)}
            if big:
                fig.update(fw_download_us=2_000_000 + 100_000 * r["rep"],
                           fw_download_from="mpxe-lines",
                           summary={"tftp_ms": (1000, 1100, 900)[r["rep"]], "mb_s": "33.5",
                                    "blksize": 1428, "window": 1, "retransmits": r["rep"]},
                           progress_us=1_000_000,
                           progress_bytes=(20_000_000, 25_000_000, 30_000_000)[r["rep"]])
            records.append(dict(r, bytes=(64 << 20) if big else 65536, ok=True, figures=fig))
        (row,) = run.summarize(a, configs, records)
        self.assertEqual(row["to_payload_s"], 9.5)
        self.assertEqual(row["to_payload_range_s"], [8.5, 10.5])
        # transfer: the file at the progress lines' host-clock rate (20, 25, 30 MB/s),
        # not the driver's summary nor the console lines
        size = 64 << 20
        self.assertEqual(row["transfer_s"], round(size / 25e6, 4))
        self.assertEqual(row["transfer_range_s"], [round(size / 30e6, 4), round(size / 20e6, 4)])
        self.assertEqual(row["timed_by"], "progress")
        self.assertEqual(row["rate_mb_s"], 25.0)
        self.assertEqual(row["rate_range_mb_s"], [20.0, 30.0])
        self.assertEqual(row["driver_mb_s"], 33.5)
        self.assertEqual(row["console_s"], 2.1)
        self.assertEqual(row["console_range_s"], [2.0, 2.2])
        # boot cost: power-on to payload, big minus tiny: median 12.5 - median 9.5, the
        # pairs per repetition 12.5 - 9.5, 13.0 - 10.5, 11.5 - 8.5
        self.assertEqual(row["big_to_payload_s"], 12.5)
        self.assertEqual(row["boot_cost_s"], 3.0)
        self.assertEqual(row["boot_cost_range_s"], [2.5, 3.0])
        self.assertEqual(row["boot_cost_mb_s"], round(((64 << 20) - 65536) / 1e6 / 3.0, 4))
        self.assertEqual(row["tftp_params"], "blksize 1428, window 1, retransmits 0/1/2")
        self.assertEqual(row["failures"], [])

    def test_rows_from_recorded_consoles(self):
        # The recorded pairs as one repetition each: what bench/run would report.
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe,ovmf,ipxe", "--nics", "virtio,e1000",
                            "--cores", "4", "--servers", "slirp", "--sizes", "64M",
                            "--reps", "1"])
        configs, _ = run.plan_configs(a)
        records = []
        for r in run.plan_runs(a, configs):
            name = f"{r['stack']}-{r['nic']}-4c-{'tiny' if r['size'] == 'tiny' else '64M'}.jsonl"
            if os.path.exists(os.path.join(HERE, "logs", name)):
                cap = log(name)
                fig = serial_parse.analyze(cap)
                records.append(dict(r, bytes=cap.header["bytes"], ok=True, figures=fig))
        rows = {(r["stack"], r["nic"]): r for r in run.summarize(a, configs, records)}
        mpxe, ovmf, ipxe = rows["mpxe", "virtio"], rows["ovmf", "virtio"], rows["ipxe", "e1000"]
        # mpxe: 62809702 bytes between its progress lines in 3.045759 s, host clock
        self.assertEqual((mpxe["to_payload_s"], mpxe["transfer_s"], mpxe["timed_by"]),
                         (3.6361, round(3.045759 * 67108864 / 62809702, 4), "progress"))
        self.assertEqual(mpxe["rate_mb_s"], round(62809702 / 1e6 / 3.045759, 4))
        self.assertEqual(mpxe["driver_mb_s"], 21.1)
        self.assertEqual((ovmf["to_payload_s"], ovmf["transfer_s"], ovmf["timed_by"]),
                         (7.6859, 11.404, "console"))
        self.assertEqual((ipxe["to_payload_s"], ipxe["transfer_s"], ipxe["timed_by"]),
                         (10.2635, 1.1915, "console"))
        # boot cost, from the payload lines: mpxe 7.345549 - 3.636145, OVMF
        # 20.015946 - 7.685868; iPXE's big run reached its payload first (10.096919 to
        # 10.263468): a cost below zero gives no rate
        self.assertEqual(mpxe["boot_cost_s"], round(7.345549 - 3.636145, 4))
        self.assertEqual(ovmf["boot_cost_s"], round(20.015946 - 7.685868, 4))
        self.assertEqual(ipxe["boot_cost_s"], round(10.096919 - 10.263468, 4))
        self.assertIsNone(ipxe["boot_cost_mb_s"])
        self.assertNotIn("transfer_s", rows["mpxe", "e1000"])  # not recorded

    def test_http_rows_from_recorded_consoles(self):
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe,ovmf,ipxe", "--nics", "virtio", "--cores", "4",
                            "--servers", "http", "--sizes", "64M", "--reps", "1"])
        configs, _ = run.plan_configs(a)
        self.assertEqual(configs, [("http", s, "virtio", 4, None, None)
                                   for s in ("mpxe", "ovmf", "ipxe")])
        records = []
        for r in run.plan_runs(a, configs):
            if r["size"] != "tiny":
                cap = log(f"{r['stack']}-virtio-4c-64M-http.jsonl")
                records.append(dict(r, bytes=cap.header["bytes"], ok=True,
                                    figures=serial_parse.analyze(cap)))
        rows = {r["stack"]: r for r in run.summarize(a, configs, records)}
        mpxe, ovmf, ipxe = rows["mpxe"], rows["ovmf"], rows["ipxe"]
        # mpxe: 53372518 bytes between its progress lines in 0.845094 s, host clock
        self.assertEqual((mpxe["rate_mb_s"], mpxe["timed_by"]),
                         (round(53372518 / 1e6 / 0.845094, 4), "progress"))
        self.assertEqual((mpxe["http_params"], mpxe["driver_mb_s"]), ("4 connections", 64.8))
        self.assertEqual((mpxe["hash_tail_ms"], mpxe["hash_tail_range_ms"]), (1301, [1301, 1301]))
        self.assertNotIn("tftp_params", mpxe)
        self.assertEqual((ovmf["transfer_s"], ovmf["timed_by"]), (14.7958, "console"))
        self.assertEqual((ipxe["transfer_s"], ipxe["timed_by"]), (2.8161, "console"))
        self.assertNotIn("hash_tail_ms", ipxe)
        text = run.markdown(list(rows.values()), 1)
        self.assertIn("| mpxe | virtio | 4 | nginx HTTP |", text)
        self.assertIn("| host: progress lines | 1301 | 4 connections; 64.8 |", text)

    def test_boot_cost_of_an_image_started_from_load_file(self):
        # mpxe as a user runs it since it starts the image itself and hashes nothing
        # unasked: no sha256= and no profile line, the payload 6 ms after the summary.
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe", "--nics", "e1000", "--cores", "4",
                            "--servers", "http", "--sizes", "256M", "--reps", "1"])
        configs, _ = run.plan_configs(a)
        records = []
        for r in run.plan_runs(a, configs):
            cap = log(f"mpxe-e1000-4c-{'tiny' if r['size'] == 'tiny' else '256M'}-http.jsonl")
            records.append(dict(r, bytes=cap.header["bytes"], ok=True,
                                figures=serial_parse.analyze(cap)))
        big = records[1]["figures"]
        self.assertNotIn("hash_wait_us", big)
        self.assertNotIn("profile", big)
        self.assertEqual(big["summary"]["http_ms"], 3180)
        (row,) = run.summarize(a, configs, records)
        # payload lines: 10.885213 s (256 MiB) and 7.104976 s (tiny, 95232 bytes)
        self.assertEqual(row["to_payload_s"], 7.105)
        self.assertEqual(row["boot_cost_s"], round(10.885213 - 7.104976, 4))
        self.assertEqual(row["boot_cost_mb_s"],
                         round((268435456 - 95232) / 1e6 / (10.885213 - 7.104976), 4))
        # the claim: 254384537 bytes between the progress lines in 3.082366 s
        self.assertEqual(row["rate_mb_s"], round(254384537 / 1e6 / 3.082366, 4))
        self.assertNotIn("hash_tail_ms", row)

    def test_mpxe_cores_ratio(self):
        run = load_run_script()
        rows = [{"server": "http", "size": "256M", "stack": s, "nic": "virtio", "cores": c,
                 "boot_cost_s": v} for s, c, v in [("mpxe", 1, 8.0), ("mpxe", 4, 4.0),
                                                   ("ipxe", 4, 5.0)]]
        # mpxe at 4 cores against iPXE, then against itself at one core
        self.assertEqual([v for _, v in run.ratios(rows)], [0.8, 0.5])

    def test_vm_memory_fits_the_boot_file(self):
        run = load_run_script()
        self.assertEqual([run.vm_memory(1024, n << 20) for n in (0, 256, 512, 513, 1024)],
                         [1024, 1024, 1024, 2048, 2048])
        self.assertEqual(run.vm_memory(4096, 1 << 30), 4096)

    def test_which_clock_times_a_transfer(self):
        run = load_run_script()
        n = 64 << 20
        self.assertEqual(run.transfer_of({"fw_download_us": 11_404_021}, n), (11.404021, "console"))
        self.assertEqual(run.transfer_of({"summary": {"tftp_ms": 4}, "fw_download_us": 6589},
                                         59392), (0.004, "summary"))
        self.assertEqual(run.transfer_of({"summary": {"tftp_ms": 3176}, "fw_download_us": 1,
                                          "progress_us": 2_000_000, "progress_bytes": n // 2},
                                         n), (4.0, "progress"))
        self.assertEqual(run.transfer_of({"summary": {"http_ms": 250}}, n), (0.25, "summary"))
        self.assertEqual(run.transfer_of({"exit": 109}, n), (None, None))

    def test_ratios_pair_mpxe_with_each_peer_on_the_same_nic(self):
        run = load_run_script()
        rows = [{"server": "slirp", "size": "64M", "stack": s, "nic": n, "cores": c,
                 "boot_cost_s": v} for s, n, c, v in [
                     ("mpxe", "virtio", 4, 2.0), ("mpxe", "e1000", 4, 1.0),
                     ("ovmf", "virtio", 4, 10.0), ("ipxe", "virtio", 4, 3.0),
                     ("ipxe", "e1000", 4, 2.0), ("ipxe", "e1000", 1, 0.5)]]
        # virtio: iPXE then OVMF; e1000: iPXE at the same core count only
        self.assertEqual([v for _, v in run.ratios(rows)], [0.67, 0.2, 0.5])

    def test_http_aps_is_a_placement_of_mpxe_over_http_only(self):
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe,ipxe", "--nics", "e1000", "--cores", "1,4",
                            "--servers", "http,slirp", "--http-aps", "0,2", "--reps", "1",
                            "--sizes", "64M"])
        configs, _ = run.plan_configs(a)
        self.assertEqual(configs, [
            ("http", "mpxe", "e1000", 1, None, None), ("http", "mpxe", "e1000", 4, None, None),
            ("http", "mpxe", "e1000", 4, 2, None), ("http", "ipxe", "e1000", 1, None, None),
            ("http", "ipxe", "e1000", 4, None, None), ("slirp", "mpxe", "e1000", 1, None, None),
            ("slirp", "mpxe", "e1000", 4, None, None), ("slirp", "ipxe", "e1000", 1, None, None),
            ("slirp", "ipxe", "e1000", 4, None, None)])
        placed = [r for r in run.plan_runs(a, configs) if "aps" in r]
        self.assertEqual([(r["cores"], r["aps"]) for r in placed], [(4, 2), (4, 2)])
        # The placement is compared with mpxe on the BSP, and never stands in for it.
        rows = [dict({"server": "http", "size": "256M", "stack": s, "nic": "e1000", "cores": 4,
                      "boot_cost_s": v}, **({"aps": p} if p else {}))
                for s, p, v in [("mpxe", None, 2.0), ("mpxe", 2, 4.0), ("ipxe", None, 5.0)]]
        self.assertEqual([v for _, v in run.ratios(rows)], [0.4, 0.8, 2.0])
        self.assertEqual(run.stack_label(rows[1]), "mpxe (2 AP)")

    def test_a_pinned_digest_is_a_variant_of_mpxe_only(self):
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe,ipxe", "--nics", "virtio", "--cores", "4",
                            "--servers", "slirp", "--mpxe-digest", "none,pinned", "--reps", "1",
                            "--sizes", "64M"])
        configs, _ = run.plan_configs(a)
        self.assertEqual(configs, [("slirp", "mpxe", "virtio", 4, None, None),
                                   ("slirp", "mpxe", "virtio", 4, None, "pinned"),
                                   ("slirp", "ipxe", "virtio", 4, None, None)])
        pinned = [r for r in run.plan_runs(a, configs) if r.get("digest")]
        self.assertEqual([r["size"] for r in pinned], ["tiny", 64 << 20])
        rows = [dict({"server": "slirp", "size": "64M", "stack": s, "nic": "virtio", "cores": 4,
                      "boot_cost_s": v}, **({"digest": d} if d else {}))
                for s, d, v in [("mpxe", None, 1.0), ("mpxe", "pinned", 3.0), ("ipxe", None, 2.0)]]
        # plain mpxe against iPXE; with the digest against iPXE and against plain mpxe
        self.assertEqual([v for _, v in run.ratios(rows)], [0.5, 1.5, 3.0])
        self.assertEqual(run.stack_label(rows[1]), "mpxe (--sha256)")

    def test_ipv6_servers_pair_mpxe_with_its_ipv4_figures_and_leave_slirp6_to_mpxe(self):
        run = load_run_script()
        a = run.parse_args(["--stacks", "mpxe,ovmf", "--nics", "virtio", "--cores", "4",
                            "--servers", "slirp6,atftpd6", "--reps", "1", "--sizes", "64M"])
        configs, skipped = run.plan_configs(a)
        # QEMU's DHCPv6 answers no Solicit: only mpxe boots over slirp6.
        self.assertEqual(configs, [("slirp6", "mpxe", "virtio", 4, None, None),
                                   ("atftpd6", "mpxe", "virtio", 4, None, None),
                                   ("atftpd6", "ovmf", "virtio", 4, None, None)])
        self.assertEqual(len(skipped), 1)
        self.assertIn("ovmf over slirp6", skipped[0])
        rows = [{"server": sv, "size": "64M", "stack": s, "nic": "virtio", "cores": 4,
                 "boot_cost_s": v} for sv, s, v in [
                     ("slirp6", "mpxe", 2.2), ("slirp", "mpxe", 2.0),
                     ("atftpd6", "mpxe", 1.0), ("atftpd6", "ovmf", 4.0), ("atftpd", "mpxe", 0.8)]]
        # slirp6 against slirp; atftpd6 against OVMF's PXEv6, then against atftpd (IPv4)
        self.assertEqual([v for _, v in run.ratios(rows)], [1.1, 0.25, 1.25])
        self.assertIn("IPv6 / mpxe IPv4", run.ratios(rows)[0][0])

    def test_ovmf_e1000_is_skipped(self):
        run = load_run_script()
        a = run.parse_args(["--quick"])
        configs, skipped = run.plan_configs(a)
        self.assertNotIn(("slirp", "ovmf", "e1000", 4, None, None), configs)
        self.assertEqual(len(configs), 10 + 5)
        self.assertEqual(a.reps, 1)
        self.assertEqual(a.sizes, [64 << 20])
        self.assertEqual(len(skipped), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
