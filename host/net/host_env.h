// Time, randomness and a file for the host port: what the firmware gets from
// its timer, RDRAND and nothing, the host gets from std::chrono,
// std::random_device and stdio.
#pragma once

#include <stdint.h>
#include <stdio.h>

#include <chrono>
#include <random>
#include <string>

#include "net/clock.h"
#include "phy/pcap_writer.h"

namespace mpxe::host {

// Milliseconds for the stack from the steady clock; wall-clock microseconds for
// pcap timestamps.
class HostClock final : public phy::PcapClock {
 public:
  net::Millis now_ms() const {
    return static_cast<net::Millis>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start_)
                                        .count());
  }
  // Finer steady time, for round-trip times.
  uint64_t steady_micros() const {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::steady_clock::now() - start_)
                                     .count());
  }
  uint64_t now_micros() override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

class HostRandom final : public net::Random {
 public:
  uint32_t next_u32() override { return device_(); }

 private:
  std::random_device device_;
};

// A pcap (or any) byte stream into a file.
class FileSink final : public phy::ByteSink {
 public:
  FileSink() = default;
  ~FileSink() { close(); }
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  bool open(const std::string& path) {
    close();
    file_ = fopen(path.c_str(), "wb");
    return file_ != nullptr;
  }
  bool write(Bytes bytes) override {
    return file_ != nullptr && fwrite(bytes.data(), 1, bytes.size(), file_) == bytes.size();
  }
  void flush() {
    if (file_ != nullptr) fflush(file_);
  }
  void close() {
    if (file_ != nullptr) fclose(file_);
    file_ = nullptr;
  }

 private:
  FILE* file_ = nullptr;
};

}  // namespace mpxe::host
