"""The lab network of bench/run: a network namespace with tap0 (QEMU's NIC is opened in
it with `mpxe run --tap tap0`), dnsmasq, and atftpd (TFTP with windowsize) or nginx.
Only what a Lab made is stopped or deleted.

  Lab(root, work, "v4")  DHCPv4 naming boot.efi on atftpd at LAB_V4, plus IPv6 router
                         advertisements (ra-only) so iPXE does not wait for a router
  Lab(root, work, "v6")  IPv6 only: router advertisements with M=1 and stateful DHCPv6
                         (a range, as OVMF's PXEv6 needs an IA_NA address) naming
                         tftp://[LAB_V6]/boot.efi (option 59), atftpd on [LAB_V6]:69.
                         No DHCPv4 server: the peers find no IPv4 offer and go on to IPv6
  Lab(root, work, "v4", "http"), Lab(root, work, "v6", "http")
                         the same DHCP, naming http://LAB_V4:8080/boot.efi or
                         http://[LAB_V6]:8080/boot.efi, served by nginx as `mpxe run
                         --http` configures it (sendfile, keep-alive)
"""

import os
import shutil
import subprocess
import time

LAB_V4 = "10.78.0.1"
LAB_V6 = "fd00:78::1"
LAB_RANGE = "10.78.0.50,10.78.0.99,1h"
# PXE clients (DHCPv6 option 61) lease from one range, everyone else from another:
# stock OVMF's IPv6 stack and its PXEv6 ask with one DUID and two IAIDs, which
# dnsmasq hashes to one address of a 2^k range; if the stack's Request lands first
# PXEv6 repeats its Request against NoAddrsAvail until the run times out.
LAB_RANGES6 = ["--dhcp-match=set:pxe6,option6:61",
               "--dhcp-range=tag:pxe6,fd00:78::100,fd00:78::1ff,64,1h",
               "--dhcp-range=tag:!pxe6,fd00:78::200,fd00:78::2ff,64,1h"]
HTTP_PORT = 8080

NGINX_CONF = """daemon off; master_process off; worker_processes 1;
pid {work}/nginx.pid; error_log {work}/nginx.log warn;
events {{ worker_connections 64; }}
http {{
  access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; keepalive_timeout 65;
  default_type application/octet-stream;
  client_body_temp_path {work}/cb; proxy_temp_path {work}/px; fastcgi_temp_path {work}/fc;
  uwsgi_temp_path {work}/uw; scgi_temp_path {work}/sc;
  server {{ listen {listen}; root {root}; }}
}}
"""

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


def boot_url(family, scheme):
    host = LAB_V4 if family == "v4" else f"[{LAB_V6}]"
    return f"tftp://{host}/boot.efi" if scheme == "tftp" else f"http://{host}:{HTTP_PORT}/boot.efi"


def describe(family, scheme="tftp"):
    server = ("atftpd (windowsize available)" if scheme == "tftp" else
              f"nginx on port {HTTP_PORT} (sendfile, keep-alive, as `mpxe run --http`)")
    if family == "v6":
        return (f"netns, tap0 {LAB_V6}/64 only, dnsmasq RA (M=1) + stateful DHCPv6 "
                "(PXE clients fd00:78::100-1ff, others fd00:78::200-2ff) "
                f"with option 59 {boot_url(family, scheme)}, {server}, "
                "no DHCPv4")
    return (f"netns, tap0 {LAB_V4}/24 + {LAB_V6}/64, {server}, dnsmasq DHCP naming "
            f"{'boot.efi' if scheme == 'tftp' else boot_url(family, scheme)} with "
            "--enable-ra and an ra-only IPv6 range (router advertisements, so iPXE does "
            "not wait for a router)")


def tool_output(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


class Lab:
    def __init__(self, root, work, family="v4", scheme="tftp"):
        self.family = family
        self.scheme = scheme
        self.ns = f"mpxe-bench-{os.getpid()}-{family}-{scheme}"
        self.root = root
        self.work = os.path.join(work, f"lab-{family}-{scheme}")
        self.procs = []
        self.made = False

    def ip(self, *args):
        subprocess.run(["ip", *args], check=True, capture_output=True, text=True)

    def up(self):
        if os.geteuid() != 0:
            raise RuntimeError("not root: they need a network namespace with a TAP device "
                               "(run bench/run as root to include them)")
        server = ("atftpd", "atftpd") if self.scheme == "tftp" else ("nginx", "nginx-light")
        for tool, pkg in (("ip", "iproute2"), server, ("dnsmasq", "dnsmasq-base")):
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
        dhcp = ":67 " if self.family == "v4" else ":547 "
        if self.scheme == "http":
            tcp = tool_output(["ip", "netns", "exec", self.ns, "ss", "-ltn"]) or ""
            return f":{HTTP_PORT} " in tcp and dhcp in ss
        host = LAB_V4 if self.family == "v4" else f"[{LAB_V6}]"
        return f"{host}:69 " in ss and dhcp in ss

    def _spawn(self, argv):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        proc = subprocess.Popen(["ip", "netns", "exec", self.ns, *argv], **quiet)
        self.procs.append(proc)
        return proc

    def _dnsmasq(self, *ranges):
        # --no-ping: before it offers an address it has not leased yet, dnsmasq pings it
        # and waits about 3 s for an answer. Only the run that meets the lab first paid
        # that (its DHCP took 2993 ms, the next ones some 30 ms), which made the first
        # repetition's tiny boot the slowest and its boot cost negative.
        self.dnsmasq_argv = ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
                             "--port=0", "--interface=tap0", "--bind-interfaces", "--user=root",
                             "--no-ping",
                             *ranges, f"--dhcp-leasefile={os.path.join(self.work, 'leases')}",
                             f"--pid-file={os.path.join(self.work, 'dnsmasq.pid')}",
                             "--log-facility=-", "-q"]
        self.dnsmasq = self._spawn(self.dnsmasq_argv)

    def _fresh_dhcp(self):
        """dnsmasq again with no leases. Every boot here has the same DUID (OVMF and mpxe
        make it from QEMU's SMBIOS UUID) and does not release its lease: OVMF's PXEv6
        found no valid offer on its second boot against a dnsmasq that held its first
        lease, so each boot gets a server as on its first day."""
        self.dnsmasq.terminate()
        self.dnsmasq.wait(timeout=5)
        self.procs.remove(self.dnsmasq)
        leases = os.path.join(self.work, "leases")
        if os.path.exists(leases):
            os.unlink(leases)
        self.dnsmasq = self._spawn(self.dnsmasq_argv)
        for _ in range(100):
            if ":547 " in (tool_output(["ip", "netns", "exec", self.ns, "ss", "-lun"]) or ""):
                return
            time.sleep(0.1)
        raise RuntimeError("dnsmasq did not come back in the namespace")

    def _start_nginx(self):
        host = LAB_V4 if self.family == "v4" else f"[{LAB_V6}]"
        conf = os.path.join(self.work, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(work=self.work, root=self.root,
                                      listen=f"{host}:{HTTP_PORT}"))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self._spawn([nginx, "-p", self.work, "-e", os.path.join(self.work, "nginx.log"),
                     "-c", conf])

    def _start_v4(self):
        if self.scheme == "http":
            self._start_nginx()
            boot = [f"--dhcp-boot={boot_url('v4', 'http')}"]
        else:
            # --no-fork: atftpd stays our child, its pid ours to stop. 1 s retry timer.
            self._spawn(["atftpd", "--daemon", "--no-fork", "--port", "69", "--bind-address",
                         LAB_V4, "--user", "root", "--group", "root", "--retry-timeout", "1",
                         "--logfile", "/dev/null", "--pidfile",
                         os.path.join(self.work, "atftpd.pid"), self.root])
            boot = [f"--dhcp-boot=boot.efi,,{LAB_V4}", f"--dhcp-option=66,{LAB_V4}"]
        self._dnsmasq(f"--dhcp-range={LAB_RANGE}", *boot, "--enable-ra",
                      "--dhcp-range=fd00:78::,ra-only")

    def _start_v6(self):
        if self.scheme == "http":
            self._start_nginx()
        else:
            self._spawn(["python3", "-c", ATFTPD_ON_V6_SOCKET, LAB_V6, self.root])
        self._dnsmasq("--enable-ra", *LAB_RANGES6,
                      f"--dhcp-option=option6:bootfile-url,{boot_url('v6', self.scheme)}")

    def serve(self, path):
        """Makes PATH the boot file the lab's DHCP names (boot.efi)."""
        tmp = os.path.join(self.root, ".boot.efi.new")
        if os.path.exists(tmp):
            os.unlink(tmp)
        os.link(path, tmp)
        os.replace(tmp, os.path.join(self.root, "boot.efi"))
        if self.family == "v6":
            self._fresh_dhcp()

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
