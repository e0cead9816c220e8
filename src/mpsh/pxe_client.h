// The shell's use of EFI_PXE_BASE_CODE_PROTOCOL: finding it, reading the lease it
// holds, and fetching files through its Mtftp().
#pragma once

#include "mpsh/lease.h"
#include "mpsh/shell.h"
#include "uefi/protocols/pxe_base_code.h"

namespace mpsh {

// `protocol` on a network boot handle: the device the shell was loaded from
// (LoadedImage's DeviceHandle) when it has a PXE Base Code, else the first handle
// with a PXE Base Code that has `protocol` too. `on_boot_device` (may be null)
// says which.
uefi::Status network_protocol_find(uefi::Handle image, const uefi::Guid& protocol, void** out,
                                   bool* on_boot_device);
// The PXE Base Code there.
uefi::Status pxe_find(uefi::Handle image, uefi::PxeBaseCodeProtocol** pxe);

LeaseSummary pxe_lease(const uefi::PxeBaseCodeProtocol* pxe);
// What the DHCPv6 Reply a PXE Base Code running IPv6 keeps (Mode.DhcpAck) names.
Lease6Summary pxe_lease6(const uefi::PxeBaseCodeProtocol* pxe);

// Prints "<prefix>: <status text>", with the server's TFTP error when there is one.
void pxe_print_error(const uefi::PxeBaseCodeProtocol* pxe, const char* prefix, uefi::Status s);

// TFTP_GET_FILE_SIZE.
// `server` is an IPv4 or an IPv6 address, as the PXE Base Code runs (Mode.UsingIpv6).
uefi::Status pxe_file_size(uefi::PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server,
                           const char* file, uint64_t* size);

// Asks the server for the size itself: an RRQ with "tsize 0" over UdpWrite, the
// OACK read with UdpRead, then an ERROR 8 to end the transfer (RFC 2347), as the
// PXE Base Code in EDK II does for TFTP_GET_FILE_SIZE. kUnsupported when the
// server answers without tsize, kTimeout when it does not answer at all.
uefi::Status pxe_probe_size(uefi::PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server,
                            const char* file, uint64_t* size);

// TFTP_READ_FILE into pages of its own. `size_hint` is the size when known
// (kUnknownSize otherwise); the buffer grows on EFI_BUFFER_TOO_SMALL.
constexpr uint64_t kUnknownSize = ~uint64_t{0};
uefi::Status pxe_read_file(uefi::PxeBaseCodeProtocol* pxe, const uefi::IpAddress& server,
                           const char* file, uint64_t size_hint, Download* out,
                           Download* previous);

}  // namespace mpsh
