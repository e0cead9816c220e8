# mpsh's sources. The portable ones include no UEFI header and are also built
# and tested on the host (src/mpsh/CMakeLists.txt, tests/unit/mpsh).
set(MPXE_MPSH_PORTABLE_SOURCES
  command_line.cpp lease.cpp line_editor.cpp pxebc_text.cpp text.cpp tsize_probe.cpp)
set(MPXE_MPSH_FIRMWARE_SOURCES
  main.cpp console.cpp commands.cpp cmd_system.cpp cmd_boot.cpp cmd_net.cpp
  cmd_pxebc.cpp cmd_snp.cpp member_report.cpp pxe_client.cpp)
list(TRANSFORM MPXE_MPSH_PORTABLE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
list(TRANSFORM MPXE_MPSH_FIRMWARE_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
