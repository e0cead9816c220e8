#include "mpsh/tsize_probe.h"

#include "core/byte_ops.h"
#include "mpsh/text.h"

namespace mpsh {

using mpxe::net::Result;
using mpxe::net::TftpOpcode;
using mpxe::net::TftpPacket;

Result<size_t> tsize_request(mpxe::MutableBytes out, const char* file) {
  mpxe::net::TftpOptions options;
  options.has_tsize = true;  // and tsize 0
  return mpxe::net::tftp_emit_rrq(out, mpxe::bytes_of(file), options);
}

Result<size_t> tsize_abort(mpxe::MutableBytes out, mpxe::net::TftpErrorCode code) {
  mpxe::net::TftpRepr error;
  error.opcode = TftpOpcode::Error;
  error.error_code = static_cast<uint16_t>(code);
  error.error_message = mpxe::bytes_of("size probe only");
  mpxe::net::Result<void> emitted = error.emit(out);
  if (!emitted) return emitted.error();
  return error.buffer_len();
}

TsizeReply read_tsize_reply(mpxe::Bytes bytes) {
  TsizeReply reply;
  Result<TftpPacket> checked = TftpPacket::check(bytes);
  if (!checked) return reply;
  const TftpPacket& packet = checked.value();
  switch (static_cast<TftpOpcode>(packet.opcode())) {
    case TftpOpcode::Oack: {
      Result<mpxe::net::TftpOptions> options = mpxe::net::TftpOptions::parse(packet.body());
      if (!options) return reply;
      reply.kind = TsizeReply::Kind::Oack;
      reply.has_tsize = options.value().has_tsize;
      reply.tsize = options.value().tsize;
      return reply;
    }
    case TftpOpcode::Data:
      reply.kind = TsizeReply::Kind::Data;
      return reply;
    case TftpOpcode::Error: {
      // Read from the view, not TftpRepr::parse, which refuses an unterminated
      // message: up to the NUL or the end of the packet.
      mpxe::Bytes message = packet.bytes().subspan(TftpPacket::kErrorMessageOffset);
      text_copy(reply.error_text, sizeof(reply.error_text),
                reinterpret_cast<const char*>(message.data()), message.size());
      reply.error_code = packet.error_code();
      reply.kind = TsizeReply::Kind::Error;
      return reply;
    }
    default:
      return reply;
  }
}

}  // namespace mpsh
