// `snp`: what the boot device's EFI_SIMPLE_NETWORK_PROTOCOL answers an NBP that
// drives the NIC itself (GRUB's efinet, iPXE's snponly). The SNP is the one on
// the handle the PXE Base Code is on (the boot device). Prints its Mode, then
// calls every member but Start, Stop, Initialize, Reset and Shutdown (the shell
// and the firmware's own stack still need the NIC as it is) and prints one line
// per item: "snp: <Member>: <STATUS> <details>", Mode fields as
// "snp: Mode.<Field>: <value>". Every call is bounded: the polls stop after
// about a second. The statuses are the specification's names (pxebc_text.h).
//
// An SNP found Stopped or Started (our ROM's, whose own stack drives the NIC
// underneath it; an NBP brings it up itself) is brought up as GRUB and iPXE do,
// Start then Initialize, and at the end put back as it was found, Shutdown then
// Stop, so the shell's PXE Base Code keeps the NIC. One found Initialized (a
// stack such as EDK II's MNP runs on it) is used as it is, and Start,
// Initialize, Shutdown and Stop are not called. Reset never is.

#include "core/format.h"
#include "mpsh/member_report.h"
#include "mpsh/pxe_client.h"
#include "mpsh/pxebc_text.h"
#include "mpsh/shell.h"
#include "uefi/protocols/pxe_base_code.h"
#include "uefi/protocols/simple_network.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpsh {
namespace {

using uefi::NetworkStatistics;
using uefi::SimpleNetworkMode;
using uefi::SimpleNetworkProtocol;
using uefi::Status;

constexpr uint16_t kTestEtherType = 0x88b5;  // IEEE 802 local experimental
constexpr char kTestPayload[] = "mpsh snp test";
constexpr uefi::Uintn kPollStallUs = 1'000;
constexpr int kPollRounds = 1'000;  // ~1 s of polling at most
constexpr uint8_t kGroups[2][4] = {{239, 1, 2, 3}, {224, 0, 0, 251}};

const char* yes(uefi::Boolean b) { return b ? "TRUE" : "FALSE"; }

constexpr MemberReport out{"snp"};

unsigned long long ull(uint64_t v) { return static_cast<unsigned long long>(v); }

// "UNICAST|BROADCAST" for a ReceiveFilter mask, "none" for 0.
struct FilterText {
  explicit FilterText(uint32_t bits) {
    static constexpr struct {
      uint32_t bit;
      const char* name;
    } kNames[] = {
        {uefi::kSnpReceiveUnicast, "UNICAST"},
        {uefi::kSnpReceiveMulticast, "MULTICAST"},
        {uefi::kSnpReceiveBroadcast, "BROADCAST"},
        {uefi::kSnpReceivePromiscuous, "PROMISCUOUS"},
        {uefi::kSnpReceivePromiscuousMulticast, "PROMISCUOUS_MULTICAST"},
    };
    size_t n = 0;
    text[0] = '\0';
    for (const auto& k : kNames) {
      if ((bits & k.bit) == 0) continue;
      n += mpxe::format(text + n, sizeof(text) - n, "%s%s", n != 0 ? "|" : "", k.name);
      if (n >= sizeof(text)) return;
    }
    uint32_t rest = bits & ~uint32_t{0x1f};
    if (rest != 0) mpxe::format(text + n, sizeof(text) - n, "%s0x%x", n != 0 ? "|" : "", rest);
    else if (n == 0) mpxe::format(text, sizeof(text), "none");
  }
  char text[96];
};

const char* state_name(uint32_t state) {
  switch (static_cast<uefi::SimpleNetworkState>(state)) {
    case uefi::SimpleNetworkState::Stopped: return "Stopped";
    case uefi::SimpleNetworkState::Started: return "Started";
    case uefi::SimpleNetworkState::Initialized: return "Initialized";
  }
  return "unknown";
}

// --- Finding it -------------------------------------------------------------

// SNP where the shell finds its PXE Base Code (pxe_find's order); `where` says which.
Status snp_find(uefi::Handle image, SimpleNetworkProtocol** snp, const char** where) {
  bool boot_device = false;
  Status s = network_protocol_find(image, uefi::kSimpleNetworkProtocolGuid,
                                   reinterpret_cast<void**>(snp), &boot_device);
  if (!uefi::is_error(s)) *where = boot_device ? "boot device" : "first PXE Base Code handle";
  return s;
}

// --- Mode -------------------------------------------------------------------

void print_mode(const SimpleNetworkMode& m) {
  out.say("Mode.State", "%u %s", m.State, state_name(m.State));
  out.say("Mode.HwAddressSize", "%u", m.HwAddressSize);
  out.say("Mode.MediaHeaderSize", "%u", m.MediaHeaderSize);
  out.say("Mode.MaxPacketSize", "%u", m.MaxPacketSize);
  out.say("Mode.NvRamSize", "%u", m.NvRamSize);
  out.say("Mode.IfType", "%u", m.IfType);
  out.say("Mode.ReceiveFilterMask", "0x%02x %s", m.ReceiveFilterMask,
      FilterText(m.ReceiveFilterMask).text);
  out.say("Mode.ReceiveFilterSetting", "0x%02x %s", m.ReceiveFilterSetting,
      FilterText(m.ReceiveFilterSetting).text);
  out.say("Mode.MaxMCastFilterCount", "%u", m.MaxMCastFilterCount);
  out.say("Mode.MCastFilterCount", "%u", m.MCastFilterCount);
  out.say("Mode.CurrentAddress", "%s", MacText(m.CurrentAddress).text);
  out.say("Mode.BroadcastAddress", "%s", MacText(m.BroadcastAddress).text);
  out.say("Mode.MacAddressChangeable", "%s", yes(m.MacAddressChangeable));
  out.say("Mode.MultipleTxSupported", "%s", yes(m.MultipleTxSupported));
  out.say("Mode.MediaPresentSupported", "%s", yes(m.MediaPresentSupported));
  out.say("Mode.MediaPresent", "%s", yes(m.MediaPresent));
}

// "ReceiveFilterSetting 0x.. NAMES MCastFilterCount n" after a ReceiveFilters call.
struct FilterState {
  explicit FilterState(const SimpleNetworkMode& m) {
    mpxe::format(text, sizeof(text), "-> ReceiveFilterSetting 0x%02x %s MCastFilterCount %u",
                 m.ReceiveFilterSetting, FilterText(m.ReceiveFilterSetting).text,
                 m.MCastFilterCount);
  }
  char text[160];
};

// --- Calls ------------------------------------------------------------------

void call_get_status(SimpleNetworkProtocol* snp) {
  uint32_t interrupts = 0;
  void* tx_buf = nullptr;
  Status s = snp->GetStatus(snp, &interrupts, &tx_buf);
  out.report("GetStatus", s, "InterruptStatus 0x%x TxBuf %p", interrupts, tx_buf);
}

// Statistics into `table`: the status, with the four counters the test reads.
Status read_statistics(SimpleNetworkProtocol* snp, const char* label, bool reset,
                       NetworkStatistics* table) {
  uefi::Uintn size = sizeof(*table);
  for (uint64_t* v = &table->RxTotalFrames; v <= &table->TxRetryFrames; ++v) *v = 0;
  Status s = snp->Statistics(snp, reset, &size, table);
  out.report(label, s,
         "Size %llu RxTotalFrames %llu TxTotalFrames %llu RxTotalBytes %llu TxTotalBytes %llu",
         ull(size), ull(table->RxTotalFrames), ull(table->TxTotalFrames),
         ull(table->RxTotalBytes), ull(table->TxTotalBytes));
  return s;
}

void call_statistics(SimpleNetworkProtocol* snp, NetworkStatistics* before) {
  uefi::Uintn size = 0;
  Status s = snp->Statistics(snp, false, &size, nullptr);
  out.report("Statistics(size)", s, "Size %llu (table %llu)", ull(size), ull(sizeof(*before)));
  NetworkStatistics table{};
  read_statistics(snp, "Statistics", false, &table);
  read_statistics(snp, "Statistics(reset)", true, &table);
  // Read back after the reset: the table as the reset left it.
  read_statistics(snp, "Statistics(after reset)", false, before);
}

void call_receive_filters(SimpleNetworkProtocol* snp) {
  SimpleNetworkMode& m = *snp->Mode;
  uefi::MacAddress groups[2]{};
  for (int i = 0; i < 2; ++i) {
    uefi::IpAddress ip{};
    for (int j = 0; j < 4; ++j) ip.v4.Addr[j] = kGroups[i][j];
    Status s = snp->MCastIpToMac(snp, false, &ip, &groups[i]);
    out.report("MCastIpToMac", s, "%u.%u.%u.%u -> %s", kGroups[i][0], kGroups[i][1], kGroups[i][2],
           kGroups[i][3], MacText(groups[i]).text);
  }

  uint32_t before = m.ReceiveFilterSetting;
  uefi::MacAddress saved[uefi::kSnpMaxMcastFilterCount];
  uint32_t saved_count = m.MCastFilterCount <= uefi::kSnpMaxMcastFilterCount
                             ? m.MCastFilterCount
                             : uefi::kSnpMaxMcastFilterCount;
  for (uint32_t i = 0; i < saved_count; ++i) saved[i] = m.MCastFilter[i];
  Status s = snp->ReceiveFilters(snp, uefi::kSnpReceiveMulticast, 0, false, 2, groups);
  out.report("ReceiveFilters(multicast list)", s, "2 groups %s", FilterState(m).text);
  char list[64] = "";
  size_t n = 0;
  for (uint32_t i = 0; i < m.MCastFilterCount && i < uefi::kSnpMaxMcastFilterCount; ++i)
    n += mpxe::format(list + n, sizeof(list) > n ? sizeof(list) - n : 0, "%s%s",
                      i != 0 ? " " : "", MacText(m.MCastFilter[i]).text);
  out.say("Mode.MCastFilterCount", "%u%s%s", m.MCastFilterCount, n != 0 ? " " : "", list);
  out.say("Mode.ReceiveFilterSetting", "0x%02x %s", m.ReceiveFilterSetting,
      FilterText(m.ReceiveFilterSetting).text);

  s = snp->ReceiveFilters(snp, 0, 0, true, 0, nullptr);
  out.report("ReceiveFilters(ResetMCastFilter)", s, "%s", FilterState(m).text);

  s = snp->ReceiveFilters(snp, uefi::kSnpReceivePromiscuous, 0, false, 0, nullptr);
  out.report("ReceiveFilters(promiscuous on)", s, "%s", FilterState(m).text);
  s = snp->ReceiveFilters(snp, 0, uefi::kSnpReceivePromiscuous, false, 0, nullptr);
  out.report("ReceiveFilters(promiscuous off)", s, "%s", FilterState(m).text);

  // What the firmware's own stack had on, back as it was, its multicast list too.
  uint32_t wanted = before & m.ReceiveFilterMask;
  bool list_back = (wanted & uefi::kSnpReceiveMulticast) != 0 && saved_count != 0;
  if (!list_back) wanted &= ~uefi::kSnpReceiveMulticast;
  if (wanted != m.ReceiveFilterSetting || list_back) {
    s = snp->ReceiveFilters(snp, wanted, m.ReceiveFilterSetting & ~wanted, false,
                            list_back ? saved_count : 0, list_back ? saved : nullptr);
    out.report("ReceiveFilters(restore)", s, "%s", FilterState(m).text);
  }
}

void call_station_address(SimpleNetworkProtocol* snp) {
  uefi::MacAddress mac = snp->Mode->CurrentAddress;
  Status s = snp->StationAddress(snp, false, &mac);
  out.report("StationAddress", s, "Reset FALSE same %s -> CurrentAddress %s", MacText(mac).text,
         MacText(snp->Mode->CurrentAddress).text);
}

void call_nv_data(SimpleNetworkProtocol* snp) {
  uint32_t size = snp->Mode->NvRamSize;
  if (size == 0) {
    uint8_t byte = 0;
    Status s = snp->NvData(snp, true, 0, 0, &byte);
    out.report("NvData", s, "read 0 bytes (NvRamSize 0)");
    return;
  }
  void* buffer = nullptr;
  Status s = uefi::bs()->AllocatePool(uefi::MemoryType::LoaderData, size, &buffer);
  if (uefi::is_error(s)) {
    out.say("NvData", "SKIPPED no memory for %u bytes", size);
    return;
  }
  s = snp->NvData(snp, true, 0, size, buffer);
  out.report("NvData", s, "read %u bytes (NvRamSize %u)", size, size);
  uefi::bs()->FreePool(buffer);
}

// One broadcast frame, SNP filling in the media header; then GetStatus until
// the buffer comes back. Under a stack that shares the SNP (EDK II's MNP) a
// recycled buffer of the stack's own can come back to us instead: it is only
// counted, the stack has lost it either way.
void call_transmit(SimpleNetworkProtocol* snp) {
  const SimpleNetworkMode& m = *snp->Mode;
  uint8_t frame[64] = {};
  uefi::Uintn header = m.MediaHeaderSize;
  if (header + sizeof(kTestPayload) - 1 > sizeof(frame)) {
    out.say("Transmit", "SKIPPED MediaHeaderSize %u", m.MediaHeaderSize);
    return;
  }
  for (size_t i = 0; i + 1 < sizeof(kTestPayload); ++i) frame[header + i] = kTestPayload[i];
  // Padded to the Ethernet minimum (60 bytes without the FCS).
  uefi::Uintn length = sizeof(frame) - 4;
  uefi::MacAddress dest = m.BroadcastAddress;
  uint16_t protocol = kTestEtherType;
  Status s = snp->Transmit(snp, header, length, frame, nullptr, &dest, &protocol);
  out.report("Transmit", s, "HeaderSize %llu BufferSize %llu to %s EtherType 0x%04x buffer %p",
         ull(header), ull(length), MacText(dest).text, protocol, static_cast<void*>(frame));
  if (uefi::is_error(s)) return;

  int rounds = 0;
  bool recycled = false;
  void* other = nullptr;
  uint32_t seen = 0;
  for (; rounds < kPollRounds && !recycled; ++rounds) {
    uint32_t interrupts = 0;
    void* tx_buf = nullptr;
    s = snp->GetStatus(snp, &interrupts, &tx_buf);
    if (uefi::is_error(s)) break;
    seen |= interrupts;
    if (tx_buf == frame)
      recycled = true;
    else if (tx_buf != nullptr)
      other = tx_buf;
    else
      uefi::bs()->Stall(kPollStallUs);
  }
  char header_text[64];
  mpxe::format(header_text, sizeof(header_text), "%02x:%02x:%02x:%02x:%02x:%02x %04x",
               frame[0], frame[1], frame[2], frame[3], frame[4], frame[5],
               (frame[12] << 8) | frame[13]);
  out.report("Transmit.GetStatus", s, "TxBuf %s after %d polls InterruptStatus 0x%x%s header %s",
         recycled ? "recycled" : "not recycled", rounds, seen,
         other != nullptr ? " (other buffers came back)" : "", header_text);
}

void call_receive(SimpleNetworkProtocol* snp) {
  uint8_t frame[1536];
  Status s = uefi::kNotReady;
  uefi::Uintn header = 0, size = 0;
  uefi::MacAddress src{}, dest{};
  uint16_t protocol = 0;
  int rounds = 0;
  for (; rounds < kPollRounds; ++rounds) {
    size = sizeof(frame);
    s = snp->Receive(snp, &header, &size, frame, &src, &dest, &protocol);
    if (s != uefi::kNotReady) break;
    uefi::bs()->Stall(kPollStallUs);
  }
  if (s == uefi::kSuccess)
    out.report("Receive", s, "frame after %d polls: HeaderSize %llu BufferSize %llu %s -> %s "
           "EtherType 0x%04x", rounds, ull(header), ull(size), MacText(src).text,
           MacText(dest).text, protocol);
  else
    out.report("Receive", s, "no frame after %d polls", rounds);
}

// Start and Initialize as an NBP does when the SNP is not initialized yet;
// false when it still is not.
bool bring_up(SimpleNetworkProtocol* snp) {
  using uefi::SimpleNetworkState;
  const SimpleNetworkMode& m = *snp->Mode;
  if (m.State == static_cast<uint32_t>(SimpleNetworkState::Stopped)) {
    Status s = snp->Start(snp);
    out.report("Start", s, "State was Stopped -> State %u %s", m.State, state_name(m.State));
  }
  if (m.State == static_cast<uint32_t>(SimpleNetworkState::Started)) {
    Status s = snp->Initialize(snp, 0, 0);
    out.report("Initialize", s, "State was Started -> State %u %s ReceiveFilterSetting 0x%02x %s",
           m.State, state_name(m.State), m.ReceiveFilterSetting,
           FilterText(m.ReceiveFilterSetting).text);
  }
  return m.State == static_cast<uint32_t>(SimpleNetworkState::Initialized);
}

// Back to the state bring_up found.
void put_back(SimpleNetworkProtocol* snp, uint32_t found) {
  using uefi::SimpleNetworkState;
  const SimpleNetworkMode& m = *snp->Mode;
  if (found == m.State) return;
  Status s = snp->Shutdown(snp);
  out.report("Shutdown", s, "back to the state found -> State %u %s", m.State, state_name(m.State));
  if (found == static_cast<uint32_t>(SimpleNetworkState::Stopped) && !uefi::is_error(s)) {
    s = snp->Stop(snp);
    out.report("Stop", s, "back to the state found -> State %u %s", m.State, state_name(m.State));
  }
}

}  // namespace

uefi::Status cmd_snp(Shell& shell, size_t, CommandArgs) {
  SimpleNetworkProtocol* snp = nullptr;
  const char* where = "";
  Status s = snp_find(shell.image, &snp, &where);
  if (uefi::is_error(s) || snp->Mode == nullptr) {
    out.say("protocol", "%s no Simple Network Protocol on the boot device", StatusText(s).text);
    return uefi::is_error(s) ? s : uefi::kNotFound;
  }
  out.say("protocol", "SUCCESS on the %s Revision 0x%llx", where, ull(snp->Revision));
  print_mode(*snp->Mode);
  uint32_t found = snp->Mode->State;
  if (!bring_up(snp)) {
    out.say("calls", "skipped: the Simple Network Protocol is not initialized");
    return uefi::kNotStarted;
  }
  call_get_status(snp);
  NetworkStatistics before{};
  call_statistics(snp, &before);
  call_receive_filters(snp);
  call_station_address(snp);
  call_nv_data(snp);
  call_transmit(snp);
  call_receive(snp);
  NetworkStatistics after{};
  Status t = read_statistics(snp, "Statistics(after Transmit)", false, &after);
  if (!uefi::is_error(t))
    out.say("Statistics.TxTotalFrames", "%llu -> %llu %s", ull(before.TxTotalFrames),
        ull(after.TxTotalFrames),
        after.TxTotalFrames > before.TxTotalFrames ? "increased" : "not increased");
  put_back(snp, found);
  uefi::print("snp: done\n");
  return uefi::kSuccess;
}

}  // namespace mpsh
