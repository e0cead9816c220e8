#include "host/net/tap_device.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace mpxe::host {
namespace {

// The MTU the kernel gives the interface (1500 for a fresh TAP).
uint16_t interface_mtu(const std::string& name) {
  int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return 1500;
  struct ifreq ifr {};
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  int mtu = 1500;
  if (::ioctl(sock, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0) mtu = ifr.ifr_mtu;
  ::close(sock);
  return static_cast<uint16_t>(std::min(mtu, 65535));
}

}  // namespace

std::unique_ptr<TapDevice> TapDevice::open(const std::string& name, const uint8_t (&mac)[6],
                                           std::string& error) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    error = "bad interface name '" + name + "'";
    return nullptr;
  }
  int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    error = std::string("/dev/net/tun: ") + strerror(errno);
    return nullptr;
  }
  struct ifreq ifr {};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (::ioctl(fd, TUNSETIFF, &ifr) < 0) {
    error = "TUNSETIFF " + name + ": " + strerror(errno);
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<TapDevice>(new TapDevice(fd, ifr.ifr_name, mac, interface_mtu(name)));
}

TapDevice::TapDevice(int fd, std::string name, const uint8_t (&mac)[6], uint16_t mtu)
    : fd_(fd), name_(std::move(name)), mtu_(mtu), slots_(kRxSlots) {
  std::copy(std::begin(mac), std::end(mac), mac_);
  // Room for the largest frame the link carries, an 802.1Q tag included.
  size_t slot_size = std::max<size_t>(2048, size_t{mtu_} + 18);
  for (Slot& slot : slots_) slot.bytes.resize(slot_size);
}

TapDevice::~TapDevice() {
  if (fd_ >= 0) ::close(fd_);
}

phy::DeviceInfo TapDevice::info() const {
  phy::DeviceInfo info;
  std::copy(std::begin(mac_), std::end(mac_), info.mac);
  info.mtu = mtu_;
  info.rx_slots = static_cast<uint16_t>(slots_.size());
  return info;
}

bool TapDevice::receive(phy::RxFrame& frame) {
  // Slots are lent in ring order; a slot still lent blocks the ring until it comes
  // back, as a NIC's descriptor ring would.
  Slot& slot = slots_[next_slot_];
  if (slot.lent) return false;
  for (;;) {
    ssize_t n = ::read(fd_, slot.bytes.data(), slot.bytes.size());
    if (n > 0) {
      slot.lent = true;
      frame.data = slot.bytes.data();
      frame.size = static_cast<size_t>(n);
      frame.slot = static_cast<uint32_t>(next_slot_);
      next_slot_ = (next_slot_ + 1) % slots_.size();
      return true;
    }
    if (n < 0 && errno == EINTR) continue;
    return false;  // EAGAIN: nothing waiting (or the link went away)
  }
}

void TapDevice::release(const phy::RxFrame& frame) {
  if (frame.slot < slots_.size()) slots_[frame.slot].lent = false;
}

bool TapDevice::transmit(Bytes frame) {
  for (;;) {
    ssize_t n = ::write(fd_, frame.data(), frame.size());
    if (n >= 0) return static_cast<size_t>(n) == frame.size();
    if (errno == EINTR) continue;
    return false;  // EAGAIN: the queue is full; EIO: the interface is down
  }
}

}  // namespace mpxe::host
