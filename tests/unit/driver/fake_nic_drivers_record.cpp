#include "fake_nic_drivers.h"

namespace mpxe::driver::test {

std::string& last_made_driver() {
  static std::string name;
  return name;
}

}  // namespace mpxe::driver::test
