#include "phy/pcap_writer.h"

namespace mpxe::phy {

void PcapWriter::file_header(uint8_t (&out)[kFileHeaderLen], uint32_t snap_len) {
  store_le32(out + 0, kMagic);
  store_le16(out + 4, kVersionMajor);
  store_le16(out + 6, kVersionMinor);
  store_le32(out + 8, 0);   // thiszone: timestamps are UTC
  store_le32(out + 12, 0);  // sigfigs: "in practice, all tools set it to 0"
  store_le32(out + 16, snap_len);
  store_le32(out + 20, kLinkTypeEthernet);
}

void PcapWriter::record_header(uint8_t (&out)[kRecordHeaderLen], uint64_t micros,
                               uint32_t captured_len, uint32_t original_len) {
  store_le32(out + 0, static_cast<uint32_t>(micros / 1'000'000));
  store_le32(out + 4, static_cast<uint32_t>(micros % 1'000'000));
  store_le32(out + 8, captured_len);
  store_le32(out + 12, original_len);
}

PcapWriter::PcapWriter(Device& inner, ByteSink& sink, PcapClock& clock, uint32_t snap_len)
    : inner_(inner), sink_(sink), clock_(clock), snap_len_(snap_len) {
  uint8_t header[kFileHeaderLen];
  file_header(header, snap_len_);
  if (!sink_.write(Bytes(header))) ++counters_.write_errors;
}

void PcapWriter::record(Bytes frame) {
  uint32_t original = static_cast<uint32_t>(frame.size());
  uint32_t captured = original < snap_len_ ? original : snap_len_;
  uint8_t header[kRecordHeaderLen];
  record_header(header, clock_.now_micros(), captured, original);
  if (sink_.write(Bytes(header)) && sink_.write(frame.first(captured)))
    ++counters_.records;
  else
    ++counters_.write_errors;
}

bool PcapWriter::receive(RxFrame& frame) {
  if (!inner_.receive(frame)) return false;
  record(Bytes(frame.data, frame.size));
  return true;
}

bool PcapWriter::transmit(Bytes frame) {
  if (!inner_.transmit(frame)) return false;
  record(frame);
  return true;
}

}  // namespace mpxe::phy
