// mpxe driver entry: a UEFI driver-binding driver for the NICs in nic/nic_table.h.
// It owns the controller through EFI_PCI_IO_PROTOCOL; the NIC drivers, the stack
// and the boot faces (LoadFile, PXE Base Code, SNP) hang off Start().
#include "driver/boot/netboot.h"
#include "driver/boot/stack_session.h"
#include "driver/boot/trust_store.h"
#include "driver/efi/boot_handle.h"
#include "driver/efi/pxe_base_code.h"
#include "driver/efi/snp.h"
#include "driver/nic/nic_driver.h"
#include "driver/nic/nic_models.h"
#include "phy/fault_injector.h"
#include "qemu/fw_cfg.h"
#include "uefi/protocols/driver_binding.h"
#include "uefi/protocols/loaded_image.h"
#include "uefi/protocols/pci_io.h"
#include "uefi/protocols/simple_network.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

#ifndef MPXE_VERSION
#define MPXE_VERSION "dev"
#endif

namespace {

using namespace uefi;

constexpr uint32_t kPciVendorIdOffset = 0x00;
constexpr uint32_t kDriverVersion = 0x10;

// Private protocol that ties a controller handle to our per-NIC state, so Stop()
// finds what Start() built.
constexpr Guid kNicContextGuid = {
    0x7c39cce4, 0x4f09, 0x4a52, {0x8c, 0x69, 0x25, 0x6b, 0xac, 0xe3, 0xd3, 0x8e}};

// mpxe run --faults SPEC: the stack's link drops, duplicates, reorders or
// corrupts frames (both ways) at those rates, so the e2e tests can show every
// download surviving a lossy network. False when not asked for; a spec that does
// not parse is reported and ignored.
bool link_faults_requested(mpxe::phy::FaultRates* rates, uint64_t* seed) {
  char text[128];
  if (!mpxe::qemu::fw_cfg_read_text(mpxe::qemu::kFaultsFile, text, sizeof(text))) return false;
  if (!mpxe::phy::parse_fault_spec(text, rates, seed)) {
    log("mpxe: fw_cfg %s: cannot read fault rates '%s'; the link stays clean\n",
        mpxe::qemu::kFaultsFile, text);
    return false;
  }
  return rates->any();
}

struct NicContext {
  const mpxe::driver::NicModel* model = nullptr;
  PciIoProtocol* pci = nullptr;
  mpxe::driver::NicDriver* device = nullptr;  // started; null when it would not start
  mpxe::phy::FaultInjector* faults = nullptr;  // between the NIC and the stack (--faults)
  mpxe::driver::StackSession session;
  mpxe::driver::PxeBaseCode pxe;
  mpxe::driver::NetBoot netboot;
  mpxe::driver::BootHandle boot;
  mpxe::driver::Snp snp;
  bool pxe_installed = false;
  bool snp_installed = false;
  Event exit_event = nullptr;  // ExitBootServices: quiesce the NIC

  ~NicContext() {
    delete faults;
    delete device;
  }

  Status publish(Handle controller, Handle driver) {
    mpxe::phy::DeviceInfo info = device->info();
    mpxe::phy::Device* link = device;
    mpxe::phy::FaultRates rates;
    uint64_t seed = 1;
    if (faults == nullptr && link_faults_requested(&rates, &seed))
      faults = new (std::nothrow) mpxe::phy::FaultInjector(*device, seed, rates, rates);
    if (faults != nullptr) {
      link = faults;
      log("mpxe: test link: drop %u, duplicate %u, reorder %u, corrupt %u per mille each way "
          "(seed %llu)\n",
          rates.drop, rates.duplicate, rates.reorder, rates.corrupt,
          static_cast<unsigned long long>(seed));
    }
    Status s = session.init(link, info.mac);
    if (is_error(s)) return s;
    pxe.init(&session);
    netboot.init(&session, &pxe);
    s = snp.init(device, info.mac,
                 device->delivers_all_multicast() ? mpxe::driver::Snp::kDeliversAllMulticast
                                                  : mpxe::driver::Snp::kDeliversUnicastBroadcast);
    if (is_error(s)) return s;
    netboot.set_handoff(hand_off, this);
    netboot.set_boot_handle(&boot);
    s = boot.install(controller, driver, info.mac, mpxe::driver::NetBoot::load, &netboot);
    if (is_error(s)) return s;
    Handle child = boot.handle();
    s = bs()->InstallProtocolInterface(&child, &kPxeBaseCodeProtocolGuid, InterfaceType::Native,
                                       pxe.protocol());
    pxe_installed = !is_error(s);
    pxe.set_handle(child);
    return s;
  }

  // NetBoot::Handoff: a boot file is in memory and about to start. Only now does
  // SNP appear (never during discovery, or OVMF's NetworkPkg would bind to it and
  // add boot options of its own); it stays for whatever that image chains to.
  static void hand_off(void* context) {
    auto* self = static_cast<NicContext*>(context);
    if (self->snp_installed || self->boot.handle() == nullptr) return;
    Handle child = self->boot.handle();
    Status s = bs()->InstallProtocolInterface(&child, &kSimpleNetworkProtocolGuid,
                                              InterfaceType::Native, self->snp.protocol());
    self->snp_installed = !is_error(s);
    if (is_error(s)) log("mpxe: cannot hand the NIC over (SNP): %s\n", status_text(s));
  }

  // Once the OS owns memory, the NIC must stop bus-mastering into buffers that are
  // no longer ours. Boot services are gone by then: reset only, free nothing.
  static void on_exit_boot_services(Event, void* context) {
    auto* self = static_cast<NicContext*>(context);
    if (self->device != nullptr) self->device->quiesce();
  }

  void arm_quiesce() {
    if (is_error(bs()->CreateEvent(kEvtSignalExitBootServices, kTplCallback, on_exit_boot_services,
                                   this, &exit_event)))
      exit_event = nullptr;
  }

  void unpublish() {
    if (snp_installed)
      bs()->UninstallProtocolInterface(boot.handle(), &kSimpleNetworkProtocolGuid, snp.protocol());
    snp_installed = false;
    snp.fini();
    if (pxe_installed)
      bs()->UninstallProtocolInterface(boot.handle(), &kPxeBaseCodeProtocolGuid, pxe.protocol());
    pxe_installed = false;
    boot.uninstall();
  }

  void stop_device() {
    if (exit_event != nullptr) bs()->CloseEvent(exit_event);
    exit_event = nullptr;
    if (device != nullptr) device->stop();
    delete device;
    device = nullptr;
  }
};

const mpxe::driver::NicModel* read_nic_model(PciIoProtocol* pci) {
  uint16_t ids[2] = {};
  if (is_error(pci->Pci.Read(pci, PciIoWidth::Uint16, kPciVendorIdOffset, 2, ids)))
    return nullptr;
  return mpxe::driver::find_nic_model(ids[0], ids[1]);
}

Status binding_supported(DriverBindingProtocol* self, Handle controller, DevicePathProtocol*) {
  PciIoProtocol* pci = nullptr;
  Status s = bs()->OpenProtocol(controller, &kPciIoProtocolGuid, reinterpret_cast<void**>(&pci),
                                self->DriverBindingHandle, controller, kOpenProtocolByDriver);
  if (is_error(s)) return s;
  const mpxe::driver::NicModel* nic = read_nic_model(pci);
  bs()->CloseProtocol(controller, &kPciIoProtocolGuid, self->DriverBindingHandle, controller);
  return nic != nullptr ? kSuccess : kUnsupported;
}

Status binding_start(DriverBindingProtocol* self, Handle controller, DevicePathProtocol*) {
  PciIoProtocol* pci = nullptr;
  Status s = bs()->OpenProtocol(controller, &kPciIoProtocolGuid, reinterpret_cast<void**>(&pci),
                                self->DriverBindingHandle, controller, kOpenProtocolByDriver);
  if (is_error(s)) {
    log("mpxe: cannot open PCI I/O: %s\n", status_text(s));
    return s;
  }
  const mpxe::driver::NicModel* nic = read_nic_model(pci);
  if (nic == nullptr) {
    bs()->CloseProtocol(controller, &kPciIoProtocolGuid, self->DriverBindingHandle, controller);
    return kUnsupported;
  }
  Uintn segment = 0, bus = 0, device = 0, function = 0;
  pci->GetLocation(pci, &segment, &bus, &device, &function);
  log("mpxe: bound to %s %04x:%04x at PCI %02x:%02x.%x\n", nic->description, nic->vendor,
      nic->device, static_cast<unsigned>(bus), static_cast<unsigned>(device),
      static_cast<unsigned>(function));

  auto* context = new (std::nothrow) NicContext;
  if (context == nullptr) {
    bs()->CloseProtocol(controller, &kPciIoProtocolGuid, self->DriverBindingHandle, controller);
    return kOutOfResources;
  }
  context->model = nic;
  context->pci = pci;
  mpxe::driver::NicDriver* driver = nic->make(nic->kind);
  s = driver != nullptr ? driver->start(pci) : kOutOfResources;
  if (is_error(s)) delete driver;
  else context->device = driver;
  if (context->device == nullptr) {
    log("mpxe: %s: cannot start the data path: %s\n", nic->description, status_text(s));
  } else {
    context->arm_quiesce();
    mpxe::phy::DeviceInfo info = context->device->info();
    log("mpxe: link %02x:%02x:%02x:%02x:%02x:%02x, %u receive buffers\n", info.mac[0],
        info.mac[1], info.mac[2], info.mac[3], info.mac[4], info.mac[5], info.rx_slots);
    s = context->publish(controller, self->DriverBindingHandle);
    if (is_error(s)) {
      log("mpxe: cannot offer a network boot option: %s\n", status_text(s));
      context->unpublish();
    }
  }
  Handle handle = controller;
  s = bs()->InstallProtocolInterface(&handle, &kNicContextGuid, InterfaceType::Native, context);
  if (is_error(s)) {
    context->stop_device();
    delete context;
    bs()->CloseProtocol(controller, &kPciIoProtocolGuid, self->DriverBindingHandle, controller);
    return s;
  }
  return kSuccess;
}

Status binding_stop(DriverBindingProtocol* self, Handle controller, Uintn, Handle*) {
  NicContext* context = nullptr;
  if (!is_error(bs()->OpenProtocol(controller, &kNicContextGuid, reinterpret_cast<void**>(&context),
                                   self->DriverBindingHandle, controller,
                                   kOpenProtocolGetProtocol))) {
    bs()->UninstallProtocolInterface(controller, &kNicContextGuid, context);
    context->unpublish();
    context->stop_device();
    delete context;
  }
  bs()->CloseProtocol(controller, &kPciIoProtocolGuid, self->DriverBindingHandle, controller);
  log("mpxe: released controller\n");
  return kSuccess;
}

// Lives for the life of the image; constant-initialised, so no constructor runs.
DriverBindingProtocol g_binding = {binding_supported, binding_start, binding_stop,
                                   kDriverVersion, nullptr, nullptr};

}  // namespace

namespace uefi {

Status image_main(Handle image, SystemTable*) {
  LoadedImageProtocol* loaded = nullptr;
  bs()->HandleProtocol(image, &kLoadedImageProtocolGuid, reinterpret_cast<void**>(&loaded));
  log("mpxe: driver %s loaded at %p\n", MPXE_VERSION, loaded ? loaded->ImageBase : nullptr);
  // HTTPS trust is read once, now, and kept; nothing is printed until a boot asks.
  mpxe::driver::trust_store().load();
  g_binding.ImageHandle = image;
  g_binding.DriverBindingHandle = image;
  Handle handle = image;
  Status s = bs()->InstallProtocolInterface(&handle, &kDriverBindingProtocolGuid,
                                            InterfaceType::Native, &g_binding);
  if (is_error(s)) log("mpxe: cannot install driver binding: %s\n", status_text(s));
  return s;
}

}  // namespace uefi
