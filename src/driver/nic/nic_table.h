// Every NIC mpxe ships an option ROM for, one row each. The firmware dispatches on
// it (nic_models.h), the build packs one ROM per row (cmake/nic_table.cmake reads
// the rows' first four fields with a regular expression: keep each row on one line)
// and the runner takes its --nic choices from it (host/runner/options.cpp).
//
// MPXE_NIC(id, name, vendor, device, driver, description,
//          qemu_device, qemu_options, help, ovmf_drives)
//   id            C++ name: driver::NicKind::id, runner::Nic::k##id
//   name          --nic NAME and build/rom/mpxe-NAME.rom
//   vendor:device the PCI id the ROM carries and the driver binds
//   driver        the file in src/driver/nic that drives it (driver.cpp defines
//                 NicDriver* make_##driver(NicKind))
//   description   the driver's log line when it binds
//   qemu_device   -device MODEL, then qemu_options appended to it
//   help          what --help says after the name, or ""
//   ovmf_drives   stock OVMF has a driver for it (--stack ovmf needs one)
//
// No include guard: each user defines MPXE_NIC, includes this file, undefines it.
MPXE_NIC(Virtio, "virtio", 0x1af4, 0x1000, virtio_net, "virtio-net (transitional)", "virtio-net-pci", "", "virtio-net-pci", true)
MPXE_NIC(VirtioModern, "virtio-modern", 0x1af4, 0x1041, virtio_net, "virtio-net (modern)", "virtio-net-pci", ",disable-legacy=on,disable-modern=off", "same, modern only", true)
MPXE_NIC(E1000, "e1000", 0x8086, 0x100e, intel_net, "Intel 82540EM (e1000)", "e1000", "", "", false)
MPXE_NIC(E1000e, "e1000e", 0x8086, 0x10d3, intel_net, "Intel 82574L (e1000e)", "e1000e", "", "", false)
