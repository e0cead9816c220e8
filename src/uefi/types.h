// Base types of the UEFI 2.10 specification (section 2.3.1) for x86-64.
// Only firmware code includes this; the portable core never does.
#pragma once

#include <stddef.h>
#include <stdint.h>

// Host unit tests of driver code (tests/unit/driver) opt in: every layout here is
// fixed-width and size-checked, and there both sides of each call are host code.
// MPXE_FIRMWARE too: wolfSSL's configuration (src/tls/user_settings.h) undefines
// _WIN64 in every firmware file that includes a wolfSSL header.
#if !defined(_WIN64) && !defined(MPXE_FIRMWARE) && !defined(MPXE_UEFI_HOST_TEST)
#error "UEFI bindings are built for x86_64-unknown-windows (Microsoft x64 ABI) only"
#endif

namespace uefi {

using Uintn = uint64_t;
using Status = Uintn;
using Handle = void*;
using Event = void*;
using Tpl = Uintn;
using Lba = uint64_t;
using PhysicalAddress = uint64_t;
using VirtualAddress = uint64_t;
using Boolean = uint8_t;

struct Guid {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
};
static_assert(sizeof(Guid) == 16);

inline bool operator==(const Guid& a, const Guid& b) {
  const auto* x = reinterpret_cast<const uint8_t*>(&a);
  const auto* y = reinterpret_cast<const uint8_t*>(&b);
  for (size_t i = 0; i < sizeof(Guid); ++i)
    if (x[i] != y[i]) return false;
  return true;
}

struct MacAddress {
  uint8_t Addr[32];
};
static_assert(sizeof(MacAddress) == 32);

struct Ipv4Address {
  uint8_t Addr[4];
};
struct Ipv6Address {
  uint8_t Addr[16];
};
union IpAddress {
  uint32_t Addr[4];
  Ipv4Address v4;
  Ipv6Address v6;
};
static_assert(sizeof(IpAddress) == 16);

struct Time {
  uint16_t Year;
  uint8_t Month, Day, Hour, Minute, Second, Pad1;
  uint32_t Nanosecond;
  int16_t TimeZone;
  uint8_t Daylight, Pad2;
};
static_assert(sizeof(Time) == 16);

// Appendix D: status codes. Errors have the top bit set.
constexpr Status kErrorBit = Status{1} << 63;
constexpr Status efi_error(Uintn code) { return kErrorBit | code; }

constexpr Status kSuccess = 0;
constexpr Status kLoadError = efi_error(1);
constexpr Status kInvalidParameter = efi_error(2);
constexpr Status kUnsupported = efi_error(3);
constexpr Status kBadBufferSize = efi_error(4);
constexpr Status kBufferTooSmall = efi_error(5);
constexpr Status kNotReady = efi_error(6);
constexpr Status kDeviceError = efi_error(7);
constexpr Status kWriteProtected = efi_error(8);
constexpr Status kOutOfResources = efi_error(9);
constexpr Status kVolumeCorrupted = efi_error(10);
constexpr Status kVolumeFull = efi_error(11);
constexpr Status kNoMedia = efi_error(12);
constexpr Status kMediaChanged = efi_error(13);
constexpr Status kNotFound = efi_error(14);
constexpr Status kAccessDenied = efi_error(15);
constexpr Status kNoResponse = efi_error(16);
constexpr Status kNoMapping = efi_error(17);
constexpr Status kTimeout = efi_error(18);
constexpr Status kNotStarted = efi_error(19);
constexpr Status kAlreadyStarted = efi_error(20);
constexpr Status kAborted = efi_error(21);
constexpr Status kIcmpError = efi_error(22);
constexpr Status kTftpError = efi_error(23);
constexpr Status kProtocolError = efi_error(24);
constexpr Status kIncompatibleVersion = efi_error(25);
constexpr Status kSecurityViolation = efi_error(26);
constexpr Status kCrcError = efi_error(27);
constexpr Status kEndOfMedia = efi_error(28);
constexpr Status kEndOfFile = efi_error(31);
constexpr Status kInvalidLanguage = efi_error(32);
constexpr Status kCompromisedData = efi_error(33);
constexpr Status kIpAddressConflict = efi_error(34);
constexpr Status kHttpError = efi_error(35);

// Warnings: the top bit clear, so is_error() is false.
constexpr Status kWarnUnknownGlyph = 1;
constexpr Status kWarnDeleteFailure = 2;
constexpr Status kWarnWriteFailure = 3;
constexpr Status kWarnBufferTooSmall = 4;
constexpr Status kWarnStaleData = 5;
// LoadFile: the buffer holds a UEFI file system (registered as a RAM disk), not an image.
constexpr Status kWarnFileSystem = 6;
constexpr Status kWarnResetRequired = 7;

constexpr bool is_error(Status s) { return (s & kErrorBit) != 0; }

// Text of a status code, e.g. "Not Found"; never null.
const char* status_text(Status s);

enum class MemoryType : uint32_t {
  ReservedMemoryType,
  LoaderCode,
  LoaderData,
  BootServicesCode,
  BootServicesData,
  RuntimeServicesCode,
  RuntimeServicesData,
  ConventionalMemory,
  UnusableMemory,
  AcpiReclaimMemory,
  AcpiMemoryNvs,
  MemoryMappedIo,
  MemoryMappedIoPortSpace,
  PalCode,
  PersistentMemory,
  UnacceptedMemoryType,
  MaxMemoryType
};

enum class AllocateType : uint32_t { AnyPages, MaxAddress, Address };

enum class TimerDelay : uint32_t { Cancel, Periodic, Relative };

enum class ResetType : uint32_t { Cold, Warm, Shutdown, PlatformSpecific };

enum class InterfaceType : uint32_t { Native };

enum class LocateSearchType : uint32_t { AllHandles, ByRegisterNotify, ByProtocol };

constexpr Tpl kTplApplication = 4;
constexpr Tpl kTplCallback = 8;
constexpr Tpl kTplNotify = 16;
constexpr Tpl kTplHighLevel = 31;

constexpr uint32_t kEvtTimer = 0x80000000;
constexpr uint32_t kEvtNotifyWait = 0x00000100;
constexpr uint32_t kEvtNotifySignal = 0x00000200;
constexpr uint32_t kEvtSignalExitBootServices = 0x00000201;

constexpr uint32_t kOpenProtocolByHandleProtocol = 0x01;
constexpr uint32_t kOpenProtocolGetProtocol = 0x02;
constexpr uint32_t kOpenProtocolTestProtocol = 0x04;
constexpr uint32_t kOpenProtocolByChildController = 0x08;
constexpr uint32_t kOpenProtocolByDriver = 0x10;
constexpr uint32_t kOpenProtocolExclusive = 0x20;

struct MemoryDescriptor {
  uint32_t Type;
  PhysicalAddress PhysicalStart;
  VirtualAddress VirtualStart;
  uint64_t NumberOfPages;
  uint64_t Attribute;
};
static_assert(sizeof(MemoryDescriptor) == 40);

}  // namespace uefi
