// --nic offers exactly the NICs the build packs a ROM for (MPXE_NIC_ROWS, read by
// CMake from src/driver/nic/nic_table.h), under the ROM's name.
#include <gtest/gtest.h>

#include <sstream>

#include "options.h"
#include "qemu_command.h"

namespace mpxe::runner {
namespace {

std::vector<std::string> rom_names() {
  std::vector<std::string> names;
  std::stringstream rows(MPXE_NIC_ROWS);
  std::string row;
  while (std::getline(rows, row, ',')) names.push_back(row.substr(0, row.find(':')));
  return names;
}

TEST(NicChoices, EveryRomIsANicChoiceNamedLikeItsRom) {
  HostPaths paths;
  paths.build_dir = "/b";
  for (const std::string& name : rom_names()) {
    SCOPED_TRACE(name);
    ParseResult r = parse_run_arguments({"--nic", name}, Environment());
    ASSERT_TRUE(r.options.has_value()) << r.err;
    EXPECT_EQ(nic_name(r.options->nic), name);
    EXPECT_EQ(rom_path(paths, r.options->nic), "/b/rom/mpxe-" + name + ".rom");
  }
}

TEST(NicChoices, NothingElseIsOffered) {
  ParseResult r = parse_run_arguments({"--nic", "rtl8139"}, Environment());
  EXPECT_FALSE(r.options.has_value());
  EXPECT_EQ(rom_names().size(), 4u);
}

}  // namespace
}  // namespace mpxe::runner
