// Process-wide access to the firmware tables, set once by the entry glue.
#pragma once

#include "uefi/tables.h"

namespace uefi {

SystemTable* st();
BootServices* bs();
RuntimeServices* rt();
Handle image_handle();

// Each image defines this; efi_main (entry.cpp) calls it after the tables are set.
Status image_main(Handle image, SystemTable* system_table);

}  // namespace uefi
