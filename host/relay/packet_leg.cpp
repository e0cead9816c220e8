#include "host/relay/packet_leg.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace mpxe::host {
namespace {

constexpr size_t kVlanTagSize = 4;
constexpr size_t kMacHeaderSize = 12;  // destination and source: a tag goes after them

std::string errno_text(const char* what, const std::string& name) {
  return std::string(what) + " " + name + ": " + strerror(errno);
}

}  // namespace

std::unique_ptr<PacketLeg> PacketLeg::open(const std::string& name, std::string& error) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    error = "bad interface name '" + name + "'";
    return nullptr;
  }
  unsigned index = if_nametoindex(name.c_str());
  if (index == 0) {
    error = errno_text("no interface", name);
    return nullptr;
  }
  // Protocol 0 until bound: no frame of another interface is queued meanwhile.
  // Blocking, so that a send waits for socket memory rather than lose the frame;
  // receives never wait (MSG_DONTWAIT), poll() does.
  int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = errno_text("AF_PACKET socket for", name);
    return nullptr;
  }
  auto fail = [&](const char* what) {
    error = errno_text(what, name);
    ::close(fd);
    return nullptr;
  };
  struct ifreq ifr {};
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  phy::DeviceInfo info;
  if (::ioctl(fd, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
    info.mtu = static_cast<uint16_t>(std::min(ifr.ifr_mtu, 65535));
  if (::ioctl(fd, SIOCGIFHWADDR, &ifr) == 0) memcpy(info.mac, ifr.ifr_hwaddr.sa_data, 6);

  int one = 1;
  if (::setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0)
    return fail("PACKET_AUXDATA on");
  // Bursts (a TFTP window, a TCP flight) must not overflow the queue while the
  // other leg is being served: 4 MiB, past rmem_max since we are root.
  int bytes = 4 << 20;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
  struct sockaddr_ll addr {};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = static_cast<int>(index);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) return fail("bind to");
  struct packet_mreq mreq {};
  mreq.mr_ifindex = static_cast<int>(index);
  mreq.mr_type = PACKET_MR_PROMISC;
  if (::setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq) < 0)
    return fail("promiscuous mode on");
  return std::unique_ptr<PacketLeg>(new PacketLeg(fd, name, info));
}

PacketLeg::PacketLeg(int fd, std::string name, phy::DeviceInfo info)
    : fd_(fd), name_(std::move(name)), info_(info), buffer_(kMaxFrame) {}

PacketLeg::~PacketLeg() { ::close(fd_); }

bool PacketLeg::receive(phy::RxFrame& frame) {
  for (;;) {
    // Room before the frame for a VLAN tag the kernel took out into auxdata.
    uint8_t* data = buffer_.data() + kVlanTagSize;
    size_t room = buffer_.size() - kVlanTagSize;
    struct sockaddr_ll from {};
    union {
      struct cmsghdr align;
      char bytes[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control;
    struct iovec iov {data, room};
    struct msghdr msg {};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.bytes;
    msg.msg_controllen = sizeof control.bytes;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_TRUNC);
    if (n < 0) return false;  // EAGAIN: nothing more; anything else: try after poll()
    if (from.sll_pkttype == PACKET_OUTGOING) continue;
    if ((msg.msg_flags & MSG_TRUNC) != 0 || static_cast<size_t>(n) > room) {
      ++counters_.truncated;
      continue;
    }
    size_t size = static_cast<size_t>(n);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
      struct tpacket_auxdata aux;
      memcpy(&aux, CMSG_DATA(c), sizeof aux);
      if ((aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0) ++counters_.checksum_partial;
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) != 0 && size >= kMacHeaderSize) {
        uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) != 0 ? aux.tp_vlan_tpid
                                                                        : ETH_P_8021Q;
        memmove(data - kVlanTagSize, data, kMacHeaderSize);
        data -= kVlanTagSize;
        data[12] = static_cast<uint8_t>(tpid >> 8);
        data[13] = static_cast<uint8_t>(tpid);
        data[14] = static_cast<uint8_t>(aux.tp_vlan_tci >> 8);
        data[15] = static_cast<uint8_t>(aux.tp_vlan_tci);
        size += kVlanTagSize;
      }
    }
    ++counters_.received;
    frame.data = data;
    frame.size = size;
    frame.slot = 0;
    return true;
  }
}

bool PacketLeg::transmit(Bytes frame) {
  for (;;) {
    ssize_t n = ::send(fd_, frame.data(), frame.size(), 0);
    if (n >= 0) {
      ++counters_.sent;
      return true;
    }
    if (errno == EINTR) continue;
    // Not the ring-is-full case a stack would retry: the frame is lost, as a
    // switch would lose it, and counted.
    ++counters_.send_errors;
    return true;
  }
}

void PacketLeg::update_kernel_drops() {
  struct tpacket_stats stats {};
  socklen_t len = sizeof stats;
  if (::getsockopt(fd_, SOL_PACKET, PACKET_STATISTICS, &stats, &len) == 0)
    counters_.kernel_drops += stats.tp_drops;
}

}  // namespace mpxe::host
