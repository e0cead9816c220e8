// EFI_MP_SERVICES_PROTOCOL (PI 1.8, volume 2, 13.4).
#pragma once

#include "uefi/tables.h"

namespace uefi {

inline constexpr Guid kMpServicesProtocolGuid = {
    0x3fdda605, 0xa76e, 0x4f46, {0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08}};

constexpr uint32_t kProcessorAsBsp = 0x1;
constexpr uint32_t kProcessorEnabled = 0x2;
constexpr uint32_t kProcessorHealthy = 0x4;
// Set in ProcessorNumber to ask GetProcessorInfo for ExtendedInformation.
constexpr Uintn kCpuV2ExtendedTopology = Uintn{1} << 24;

struct CpuPhysicalLocation {
  uint32_t Package;
  uint32_t Core;
  uint32_t Thread;
};

struct CpuPhysicalLocation2 {
  uint32_t Package;
  uint32_t Module;
  uint32_t Tile;
  uint32_t Die;
  uint32_t Core;
  uint32_t Thread;
};

struct ProcessorInformation {
  uint64_t ProcessorId;  // the local APIC id
  uint32_t StatusFlag;
  CpuPhysicalLocation Location;
  CpuPhysicalLocation2 ExtendedInformation;
};
static_assert(sizeof(ProcessorInformation) == 48);

using ApProcedure = void (*)(void* argument);

struct MpServicesProtocol {
  Status (*GetNumberOfProcessors)(MpServicesProtocol* self, Uintn* count, Uintn* enabled);
  Status (*GetProcessorInfo)(MpServicesProtocol* self, Uintn processor,
                             ProcessorInformation* info);
  Status (*StartupAllAPs)(MpServicesProtocol* self, ApProcedure procedure,
                          Boolean single_thread, Event wait_event, Uintn timeout_us,
                          void* argument, Uintn** failed_cpu_list);
  Status (*StartupThisAP)(MpServicesProtocol* self, ApProcedure procedure, Uintn processor,
                          Event wait_event, Uintn timeout_us, void* argument,
                          Boolean* finished);
  Status (*SwitchBSP)(MpServicesProtocol* self, Uintn processor, Boolean enable_old_bsp);
  Status (*EnableDisableAP)(MpServicesProtocol* self, Uintn processor, Boolean enable,
                            uint32_t* health);
  Status (*WhoAmI)(MpServicesProtocol* self, Uintn* processor);
};
static_assert(sizeof(MpServicesProtocol) == 56);

}  // namespace uefi
