// EFI_SYSTEM_TABLE, EFI_BOOT_SERVICES and EFI_RUNTIME_SERVICES (UEFI 2.10, chapter 4).
// Member order is the specification's; every table's size is checked.
#pragma once

#include "uefi/protocols/device_path.h"
#include "uefi/protocols/simple_text.h"
#include "uefi/types.h"

namespace uefi {

struct TableHeader {
  uint64_t Signature;
  uint32_t Revision;
  uint32_t HeaderSize;
  uint32_t CRC32;
  uint32_t Reserved;
};
static_assert(sizeof(TableHeader) == 24);

using EventNotify = void (*)(Event event, void* context);

struct OpenProtocolInformationEntry {
  Handle AgentHandle;
  Handle ControllerHandle;
  uint32_t Attributes;
  uint32_t OpenCount;
};

struct BootServices {
  TableHeader Hdr;
  Tpl (*RaiseTPL)(Tpl new_tpl);
  void (*RestoreTPL)(Tpl old_tpl);
  Status (*AllocatePages)(AllocateType type, MemoryType memory_type, Uintn pages,
                          PhysicalAddress* memory);
  Status (*FreePages)(PhysicalAddress memory, Uintn pages);
  Status (*GetMemoryMap)(Uintn* map_size, MemoryDescriptor* map, Uintn* map_key,
                         Uintn* descriptor_size, uint32_t* descriptor_version);
  Status (*AllocatePool)(MemoryType pool_type, Uintn size, void** buffer);
  Status (*FreePool)(void* buffer);
  Status (*CreateEvent)(uint32_t type, Tpl notify_tpl, EventNotify notify, void* context,
                        Event* event);
  Status (*SetTimer)(Event event, TimerDelay type, uint64_t trigger_time_100ns);
  Status (*WaitForEvent)(Uintn count, Event* events, Uintn* index);
  Status (*SignalEvent)(Event event);
  Status (*CloseEvent)(Event event);
  Status (*CheckEvent)(Event event);
  Status (*InstallProtocolInterface)(Handle* handle, const Guid* protocol,
                                     InterfaceType interface_type, void* interface);
  Status (*ReinstallProtocolInterface)(Handle handle, const Guid* protocol, void* old_interface,
                                       void* new_interface);
  Status (*UninstallProtocolInterface)(Handle handle, const Guid* protocol, void* interface);
  Status (*HandleProtocol)(Handle handle, const Guid* protocol, void** interface);
  void* Reserved;
  Status (*RegisterProtocolNotify)(const Guid* protocol, Event event, void** registration);
  Status (*LocateHandle)(LocateSearchType search_type, const Guid* protocol, void* search_key,
                         Uintn* buffer_size, Handle* buffer);
  Status (*LocateDevicePath)(const Guid* protocol, DevicePathProtocol** device_path,
                             Handle* device);
  Status (*InstallConfigurationTable)(const Guid* guid, void* table);
  Status (*LoadImage)(Boolean boot_policy, Handle parent_image, DevicePathProtocol* device_path,
                      void* source_buffer, Uintn source_size, Handle* image_handle);
  Status (*StartImage)(Handle image_handle, Uintn* exit_data_size, char16_t** exit_data);
  Status (*Exit)(Handle image_handle, Status exit_status, Uintn exit_data_size,
                 char16_t* exit_data);
  Status (*UnloadImage)(Handle image_handle);
  Status (*ExitBootServices)(Handle image_handle, Uintn map_key);
  Status (*GetNextMonotonicCount)(uint64_t* count);
  Status (*Stall)(Uintn microseconds);
  Status (*SetWatchdogTimer)(Uintn timeout_seconds, uint64_t code, Uintn data_size,
                             char16_t* data);
  Status (*ConnectController)(Handle controller, Handle* driver_image,
                              DevicePathProtocol* remaining_path, Boolean recursive);
  Status (*DisconnectController)(Handle controller, Handle driver_image, Handle child);
  Status (*OpenProtocol)(Handle handle, const Guid* protocol, void** interface,
                         Handle agent, Handle controller, uint32_t attributes);
  Status (*CloseProtocol)(Handle handle, const Guid* protocol, Handle agent, Handle controller);
  Status (*OpenProtocolInformation)(Handle handle, const Guid* protocol,
                                    OpenProtocolInformationEntry** entries, Uintn* count);
  Status (*ProtocolsPerHandle)(Handle handle, Guid*** protocols, Uintn* count);
  Status (*LocateHandleBuffer)(LocateSearchType search_type, const Guid* protocol,
                               void* search_key, Uintn* count, Handle** buffer);
  Status (*LocateProtocol)(const Guid* protocol, void* registration, void** interface);
  Status (*InstallMultipleProtocolInterfaces)(Handle* handle, ...);
  Status (*UninstallMultipleProtocolInterfaces)(Handle handle, ...);
  Status (*CalculateCrc32)(const void* data, Uintn size, uint32_t* crc);
  void (*CopyMem)(void* destination, const void* source, Uintn length);
  void (*SetMem)(void* buffer, Uintn size, uint8_t value);
  Status (*CreateEventEx)(uint32_t type, Tpl notify_tpl, EventNotify notify,
                          const void* context, const Guid* event_group, Event* event);
};
static_assert(sizeof(BootServices) == 24 + 44 * 8);

struct RuntimeServices {
  TableHeader Hdr;
  Status (*GetTime)(Time* time, void* capabilities);
  Status (*SetTime)(Time* time);
  Status (*GetWakeupTime)(Boolean* enabled, Boolean* pending, Time* time);
  Status (*SetWakeupTime)(Boolean enable, Time* time);
  Status (*SetVirtualAddressMap)(Uintn map_size, Uintn descriptor_size, uint32_t version,
                                 MemoryDescriptor* map);
  Status (*ConvertPointer)(Uintn debug_disposition, void** address);
  Status (*GetVariable)(const char16_t* name, const Guid* vendor, uint32_t* attributes,
                        Uintn* data_size, void* data);
  Status (*GetNextVariableName)(Uintn* name_size, char16_t* name, Guid* vendor);
  Status (*SetVariable)(const char16_t* name, const Guid* vendor, uint32_t attributes,
                        Uintn data_size, const void* data);
  Status (*GetNextHighMonotonicCount)(uint32_t* high_count);
  void (*ResetSystem)(ResetType type, Status status, Uintn data_size, const void* data);
  void* UpdateCapsule;
  void* QueryCapsuleCapabilities;
  void* QueryVariableInfo;
};
static_assert(sizeof(RuntimeServices) == 24 + 14 * 8);

struct ConfigurationTable {
  Guid VendorGuid;
  void* VendorTable;
};

struct SystemTable {
  TableHeader Hdr;
  const char16_t* FirmwareVendor;
  uint32_t FirmwareRevision;
  Handle ConsoleInHandle;
  SimpleTextInputProtocol* ConIn;
  Handle ConsoleOutHandle;
  SimpleTextOutputProtocol* ConOut;
  Handle StandardErrorHandle;
  SimpleTextOutputProtocol* StdErr;
  RuntimeServices* RuntimeServices;
  BootServices* BootServices;
  Uintn NumberOfTableEntries;
  ConfigurationTable* ConfigurationTable;
};
static_assert(sizeof(SystemTable) == 120);

}  // namespace uefi
