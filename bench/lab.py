"""The lab network of bench/run: a network namespace with tap0 (QEMU's NIC is opened in
it with `mpxe run --tap tap0`), atftpd (TFTP with windowsize) and dnsmasq. Only what a
Lab made is stopped or deleted.

  Lab(root, work, "v4")  DHCPv4 naming boot.efi on atftpd at LAB_V4, plus IPv6 router
                         advertisements (ra-only) so iPXE does not wait for a router
  Lab(root, work, "v6")  IPv6 only: router advertisements with M=1 and stateful DHCPv6
                         (a range, as OVMF's PXEv6 needs an IA_NA address) naming
                         tftp://[LAB_V6]/boot.efi (option 59), atftpd on [LAB_V6]:69.
                         No DHCPv4 server: the peers find no IPv4 offer and go on to IPv6
"""

import os
import shutil
import subprocess
import time

LAB_V4 = "10.78.0.1"
LAB_V6 = "fd00:78::1"
LAB_RANGE = "10.78.0.50,10.78.0.99,1h"
LAB_RANGE6 = "fd00:78::100,fd00:78::1ff,64,1h"

# atftpd 0.8.0 binds IPv4 only as a daemon; started as inetd would start it (a bound
# socket on stdin) it serves IPv6, until idle for --tftpd-timeout seconds.
ATFTPD_ON_V6_SOCKET = """
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 69))
os.dup2(s.fileno(), 0)
os.execvp("atftpd", ["atftpd", "--tftpd-timeout", "86400", "--retry-timeout", "1",
                     "--user", "root", "--group", "root", "--logfile", "/dev/null", sys.argv[2]])
"""


def describe(family):
    if family == "v6":
        return (f"netns, tap0 {LAB_V6}/64 only, dnsmasq RA (M=1) + stateful DHCPv6 "
                f"({LAB_RANGE6}) with option 59 tftp://[{LAB_V6}]/FILE, atftpd on "
                f"[{LAB_V6}]:69 (windowsize available), no DHCPv4")
    return (f"netns, tap0 {LAB_V4}/24 + {LAB_V6}/64, atftpd (windowsize available), dnsmasq "
            "DHCP only with --enable-ra and an ra-only IPv6 range (router advertisements, "
            "so iPXE does not wait for a router)")


def tool_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


class Lab:
    def __init__(self, root, work, family="v4"):
        self.family = family
        self.ns = f"mpxe-bench-{os.getpid()}-{family}"
        self.root = root
        self.work = os.path.join(work, f"lab-{family}")
        self.procs = []
        self.made = False

    def ip(self, *args):
        subprocess.run(["ip", *args], check=True, capture_output=True, text=True)

    def up(self):
        if os.geteuid() != 0:
            raise RuntimeError("not root: they need a network namespace with a TAP device "
                               "(run bench/run as root to include them)")
        for tool, pkg in (("ip", "iproute2"), ("atftpd", "atftpd"), ("dnsmasq", "dnsmasq-base")):
            if not shutil.which(tool):
                raise RuntimeError(f"{tool} is not installed (apt-get install {pkg})")
        os.makedirs(self.work, exist_ok=True)
        self.ip("netns", "add", self.ns)
        self.made = True
        self.ip("-n", self.ns, "link", "set", "lo", "up")
        self.ip("-n", self.ns, "tuntap", "add", "dev", "tap0", "mode", "tap")
        if self.family == "v4":
            self.ip("-n", self.ns, "addr", "add", f"{LAB_V4}/24", "dev", "tap0")
        self.ip("-n", self.ns, "addr", "add", f"{LAB_V6}/64", "dev", "tap0", "nodad")
        self.ip("-n", self.ns, "link", "set", "tap0", "up")
        if self.family == "v4":
            self._start_v4()
        else:
            self._start_v6()
        for _ in range(100):
            ss = tool_output(["ip", "netns", "exec", self.ns, "ss", "-lun"]) or ""
            if self._listening(ss):
                return
            if any(p.poll() is not None for p in self.procs):
                break
            time.sleep(0.1)
        raise RuntimeError("atftpd or dnsmasq did not start in the namespace")

    def _listening(self, ss):
        if self.family == "v4":
            return f"{LAB_V4}:69 " in ss and ":67 " in ss
        return f"[{LAB_V6}]:69 " in ss and ":547 " in ss

    def _spawn(self, argv):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.procs.append(subprocess.Popen(["ip", "netns", "exec", self.ns, *argv], **quiet))

    def _dnsmasq(self, *ranges):
        self._spawn(["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--port=0",
                     "--interface=tap0", "--bind-interfaces", "--user=root", *ranges,
                     f"--dhcp-leasefile={os.path.join(self.work, 'leases')}",
                     f"--pid-file={os.path.join(self.work, 'dnsmasq.pid')}",
                     "--log-facility=-", "-q"])

    def _start_v4(self):
        # --no-fork: atftpd stays our child, its pid ours to stop. 1 s retry timer.
        self._spawn(["atftpd", "--daemon", "--no-fork", "--port", "69", "--bind-address",
                     LAB_V4, "--user", "root", "--group", "root", "--retry-timeout", "1",
                     "--logfile", "/dev/null", "--pidfile", os.path.join(self.work, "atftpd.pid"),
                     self.root])
        self._dnsmasq(f"--dhcp-range={LAB_RANGE}", f"--dhcp-boot=boot.efi,,{LAB_V4}",
                      f"--dhcp-option=66,{LAB_V4}", "--enable-ra", "--dhcp-range=fd00:78::,ra-only")

    def _start_v6(self):
        self._spawn(["python3", "-c", ATFTPD_ON_V6_SOCKET, LAB_V6, self.root])
        self._dnsmasq("--enable-ra", f"--dhcp-range={LAB_RANGE6}",
                      f"--dhcp-option=option6:bootfile-url,tftp://[{LAB_V6}]/boot.efi")

    def serve(self, path):
        """Makes PATH the boot file the lab's DHCP names (boot.efi)."""
        tmp = os.path.join(self.root, ".boot.efi.new")
        if os.path.exists(tmp):
            os.unlink(tmp)
        os.link(path, tmp)
        os.replace(tmp, os.path.join(self.root, "boot.efi"))

    def down(self):
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []
        if self.made:
            subprocess.run(["ip", "netns", "del", self.ns], capture_output=True)
            self.made = False
