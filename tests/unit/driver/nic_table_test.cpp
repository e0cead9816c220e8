// The NIC table seen from both ends: every ROM the build packs (MPXE_NIC_ROWS,
// which CMake read from nic_table.h) is a PCI id the driver binds, handed to the
// driver file the table names, and the driver binds nothing else.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "driver/nic/nic_models.h"
#include "fake_nic_drivers.h"

namespace mpxe::driver {
namespace {

struct RomRow {
  std::string name, driver;
  uint16_t vendor = 0, device = 0;
};

std::vector<RomRow> rom_rows() {
  std::vector<RomRow> rows;
  std::stringstream list(MPXE_NIC_ROWS);
  std::string entry;
  while (std::getline(list, entry, ',')) {
    std::stringstream fields(entry);
    std::string vendor, device;
    RomRow row;
    std::getline(fields, row.name, ':');
    std::getline(fields, vendor, ':');
    std::getline(fields, device, ':');
    std::getline(fields, row.driver, ':');
    row.vendor = static_cast<uint16_t>(std::stoul(vendor, nullptr, 16));
    row.device = static_cast<uint16_t>(std::stoul(device, nullptr, 16));
    rows.push_back(row);
  }
  return rows;
}

TEST(NicTable, EveryRomIsAPciIdTheDriverBindsWithTheDriverTheTableNames) {
  std::vector<RomRow> rows = rom_rows();
  ASSERT_EQ(rows.size(), sizeof(kNicModels) / sizeof(kNicModels[0]));
  for (const RomRow& row : rows) {
    SCOPED_TRACE(row.name);
    const NicModel* model = find_nic_model(row.vendor, row.device);
    ASSERT_NE(model, nullptr);
    test::last_made_driver() = "";
    EXPECT_EQ(model->make(model->kind), nullptr);  // the fakes make nothing
    EXPECT_EQ(test::last_made_driver(), row.driver);
  }
}

TEST(NicTable, TheShippedIdsAreTheOnesTheRomsCarry) {
  EXPECT_NE(find_nic_model(0x1af4, 0x1000), nullptr);
  EXPECT_NE(find_nic_model(0x1af4, 0x1041), nullptr);
  EXPECT_NE(find_nic_model(0x8086, 0x100e), nullptr);
  EXPECT_NE(find_nic_model(0x8086, 0x10d3), nullptr);
  EXPECT_EQ(find_nic_model(0x8086, 0x10d4), nullptr);
  EXPECT_EQ(find_nic_model(0x10ec, 0x8139), nullptr);
}

TEST(NicTable, KindsTellTheVariantsOfOneDriverApart) {
  EXPECT_EQ(find_nic_model(0x1af4, 0x1000)->kind, NicKind::Virtio);
  EXPECT_EQ(find_nic_model(0x1af4, 0x1041)->kind, NicKind::VirtioModern);
  EXPECT_EQ(find_nic_model(0x8086, 0x100e)->kind, NicKind::E1000);
  EXPECT_EQ(find_nic_model(0x8086, 0x10d3)->kind, NicKind::E1000e);
}

}  // namespace
}  // namespace mpxe::driver
