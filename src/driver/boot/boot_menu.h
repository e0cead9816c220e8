// PXE 2.1 boot menus on the console. After a lease whose PXE options carry a
// menu or boot servers (a WDS, SCCM, Serva or dnsmasq pxe-service site), the
// firmware shows the menu, waits out the server's prompt (F8 there opens the
// menu, a digit picks an item), chooses the first item that is not local boot
// (or the one `mpxe run --pxe-menu N` pinned), and runs boot server discovery
// for it; the lease then holds the boot server's file.
#pragma once

#include <stddef.h>

#include "driver/boot/stack_session.h"

namespace mpxe::driver {

// kSuccess with the lease's boot file set; kAborted when the item chosen is
// local boot; another error, said on the console, when nothing could be booted.
uefi::Status run_pxe_boot_menu(StackSession& session, size_t pinned);

}  // namespace mpxe::driver
