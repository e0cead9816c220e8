// The fake NIC driver factories nic_table_test links instead of the real drivers.
#pragma once

#include <string>

namespace mpxe::driver::test {

// The driver file the last factory called belongs to.
std::string& last_made_driver();

}  // namespace mpxe::driver::test
