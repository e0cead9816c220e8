// The one boundary between the stack's errors and EFI_STATUS (iPXE's EFIRC idea):
// whatever a UEFI face returns for a stack failure comes from here, so each
// failure has one status wherever it surfaces, and no stack error becomes a
// blanket EFI_DEVICE_ERROR.
#pragma once

#include "net/error.h"
#include "net/socket/dhcp_client.h"
#include "net/socket/dns_resolver.h"
#include "net/socket/http_client.h"
#include "net/socket/pxe_discovery.h"
#include "net/socket/tftp_client.h"
#include "uefi/types.h"

namespace mpxe::driver {

// By reason; a layer decides only where UEFI has a status of its own for it
// (ICMP, TFTP, HTTP). kSuccess for no error.
uefi::Status efi_status(net::Error error);

// How each protocol machine's run ended.
uefi::Status efi_status(net::TftpFailure failure);
uefi::Status efi_status(net::DhcpFailure failure);
uefi::Status efi_status(net::PxeDiscoveryFailure failure);
uefi::Status efi_status(net::DnsFailure failure);
// An HTTP request's end: the server's status when it answered with an error, the
// transport's error when the connection failed.
uefi::Status efi_status(net::HttpFailure failure, uint16_t http_status, net::Error error);

}  // namespace mpxe::driver
