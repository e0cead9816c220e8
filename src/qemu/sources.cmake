# QEMU's fw_cfg, how the runner hands the guest its settings. The directory
# parser is portable (host-tested); the port I/O transport is firmware only.
set(MPXE_QEMU_PORTABLE_SOURCES fw_cfg_dir.cpp)
set(MPXE_QEMU_FIRMWARE_SOURCES fw_cfg.cpp)
list(TRANSFORM MPXE_QEMU_PORTABLE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
list(TRANSFORM MPXE_QEMU_FIRMWARE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
