// A phy::Device that wraps another and records every frame it receives from it
// and every frame it transmits through it, in the classic libpcap file format
// (what tcpdump -w writes and Wireshark reads): a 24-byte file header, then a
// 16-byte record header before each frame. After smoltcp's phy::PcapWriter.
//
// Portable: the bytes leave through a ByteSink (a file on the host, a memory
// buffer in a test, one day a firmware file) and time comes from a PcapClock.
// Multi-byte fields are written little-endian; readers learn the order from
// the magic number.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "phy/device.h"

namespace mpxe::phy {

// Where the capture goes. write() takes all of `bytes` or reports failure.
class ByteSink {
 public:
  virtual bool write(Bytes bytes) = 0;

 protected:
  ~ByteSink() = default;
};

// Wall-clock time for the record timestamps, in microseconds since the Unix
// epoch (any monotonic origin works too: Wireshark shows relative times).
class PcapClock {
 public:
  virtual uint64_t now_micros() = 0;

 protected:
  ~PcapClock() = default;
};

struct PcapCounters {
  uint64_t records = 0;
  uint32_t write_errors = 0;  // records (or the header) the sink refused
};

class PcapWriter final : public Device {
 public:
  static constexpr uint32_t kMagic = 0xA1B2C3D4;  // microsecond timestamps
  static constexpr uint16_t kVersionMajor = 2;
  static constexpr uint16_t kVersionMinor = 4;
  static constexpr uint32_t kLinkTypeEthernet = 1;  // LINKTYPE_ETHERNET
  static constexpr uint32_t kDefaultSnapLen = 65535;
  static constexpr size_t kFileHeaderLen = 24;
  static constexpr size_t kRecordHeaderLen = 16;

  // Writes the file header to `sink` at once.
  PcapWriter(Device& inner, ByteSink& sink, PcapClock& clock,
             uint32_t snap_len = kDefaultSnapLen);

  DeviceInfo info() const override { return inner_.info(); }
  bool receive(RxFrame& frame) override;
  void release(const RxFrame& frame) override { inner_.release(frame); }
  // Records the frame only when the inner device took it.
  bool transmit(Bytes frame) override;

  const PcapCounters& counters() const { return counters_; }

  // The 24-byte file header, and the 16-byte header of one record.
  static void file_header(uint8_t (&out)[kFileHeaderLen], uint32_t snap_len);
  static void record_header(uint8_t (&out)[kRecordHeaderLen], uint64_t micros,
                            uint32_t captured_len, uint32_t original_len);

 private:
  void record(Bytes frame);

  Device& inner_;
  ByteSink& sink_;
  PcapClock& clock_;
  uint32_t snap_len_;
  PcapCounters counters_;
};

}  // namespace mpxe::phy
