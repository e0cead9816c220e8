// What the driver binding needs from a NIC driver: bring the controller up and
// down through its PCI I/O protocol, silence it at ExitBootServices, and say what
// it delivers unasked. Frames move through phy::Device, which the stack and the
// SNP drive.
#pragma once

#include "phy/device.h"
#include "uefi/protocols/pci_io.h"

namespace mpxe::driver {

class NicDriver : public phy::Device {
 public:
  virtual ~NicDriver() = default;

  // Resets the controller, posts the receive ring and reads the MAC; the data
  // path runs afterwards.
  virtual uefi::Status start(uefi::PciIoProtocol* pci) = 0;
  // Resets the controller and frees the rings.
  virtual void stop() = 0;
  // At ExitBootServices: no more DMA into memory the OS now owns. Boot services
  // are gone: reset only, free nothing; the data path stays down.
  virtual void quiesce() = 0;
  // True when every multicast frame arrives with no filter programmed (the SNP
  // then offers multicast and all-multicast receive without asking the device).
  virtual bool delivers_all_multicast() const = 0;
};

}  // namespace mpxe::driver
