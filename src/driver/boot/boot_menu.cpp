#include "driver/boot/boot_menu.h"

#include "core/format.h"
#include "uefi/protocols/simple_text.h"
#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"

namespace mpxe::driver {

using namespace uefi;
using net::Millis;

namespace {

constexpr uint16_t kScanF8 = 0x12;  // UEFI 2.10 table 12.4
// A prompt of timeout 255 asks to wait for the user for ever; a firmware that
// must not hang waits this long, then boots the first item.
constexpr Millis kForeverCapMs = 10000;
// How long the menu opened with F8 waits for a digit.
constexpr Millis kMenuChoiceMs = 30000;

bool read_key(InputKey* key) {
  SimpleTextInputProtocol* in = st()->ConIn;
  return in != nullptr && !is_error(in->ReadKeyStroke(in, key));
}

void show_menu(const net::PxeVendorOptions& options, uint16_t chosen) {
  char text[256];
  for (size_t i = 0; i < options.menu_count(); ++i) {
    net::PxeMenuItem item = options.menu_item(i);
    copy_printable(item.description, text, sizeof(text));
    log("mpxe:   %u. %s%s%s\n", static_cast<unsigned>(i + 1), text,
        item.type == net::kPxeLocalBoot ? " (local boot)" : "", item.type == chosen ? "  <" : "");
  }
}

// Polls the network (ARP answers, late replies) while waiting `ms` for a key;
// true with `key` when one came.
bool wait_for_key(StackSession& session, Millis ms, InputKey* key, bool countdown) {
  Millis start = session.now();
  Millis last_shown = ~Millis{0};
  while (session.now() - start < ms) {
    Millis left = (ms - (session.now() - start) + 999) / 1000;
    if (countdown && left != last_shown) {
      log("(%llu) ", static_cast<unsigned long long>(left));
      last_shown = left;
    }
    session.poll_once();
    if (read_key(key)) return true;
  }
  return false;
}

// F8 during the prompt: the menu, then a digit picks an item (0 when none did).
size_t ask_for_item(StackSession& session, const net::PxeBootPlan& plan) {
  log("\nmpxe: boot menu (press 1-%u):\n", static_cast<unsigned>(plan.options.menu_count()));
  show_menu(plan.options, plan.item.type);
  InputKey key;
  while (wait_for_key(session, kMenuChoiceMs, &key, false)) {
    size_t digit = key.UnicodeChar >= u'1' && key.UnicodeChar <= u'9'
                       ? static_cast<size_t>(key.UnicodeChar - u'0') : 0;
    if (digit != 0 && digit <= plan.options.menu_count()) return digit;
    if (key.UnicodeChar == u'\r') return 0;
  }
  return 0;
}

}  // namespace

Status run_pxe_boot_menu(StackSession& session, size_t pinned) {
  const net::DhcpLease& lease = session.dhcp_client().lease();
  char server[16];
  lease.menu_server.format(server, sizeof(server));
  net::Result<net::PxeBootPlan> planned = net::pxe_plan_boot(lease, pinned);
  if (!planned) {
    char why[64];
    net::error_format(planned.error(), why, sizeof(why));
    if (planned.error().reason() == net::Errc::NotFound)
      log("mpxe: the PXE menu from %s offers nothing to boot over the network\n", server);
    else if (planned.error().reason() == net::Errc::BadValue)
      log("mpxe: --pxe-menu %u: the menu from %s has %u items\n", static_cast<unsigned>(pinned),
          server, static_cast<unsigned>(net::PxeVendorOptions::parse(lease.pxe_option_bytes())
                                            .value().menu_count()));
    else
      log("mpxe: the PXE options from %s are malformed (%s); no boot server to ask\n", server, why);
    return kNotFound;
  }
  net::PxeBootPlan plan = planned.value();
  log("mpxe: PXE boot menu from %s (discovery control 0x%x):\n", server, plan.options.control());
  show_menu(plan.options, plan.item.type);

  Millis wait = plan.waits_for_key ? kForeverCapMs : plan.prompt_wait;
  if (wait != 0) {
    char prompt[256];
    copy_printable(plan.options.prompt_text(), prompt, sizeof(prompt));
    log("mpxe: %s ", prompt);
    InputKey key;
    if (wait_for_key(session, wait, &key, true) && key.ScanCode == kScanF8) {
      size_t chosen = ask_for_item(session, plan);
      if (chosen != 0) {
        planned = net::pxe_plan_boot(lease, chosen);
        if (planned) plan = planned.value();
      }
    }
    log("\n");
  } else if (pinned != 0) {
    log("mpxe: item %u chosen (--pxe-menu)\n", static_cast<unsigned>(pinned));
  }

  char item[256];
  copy_printable(plan.item.description, item, sizeof(item));
  if (plan.local_boot) {
    log("mpxe: '%s' is local boot: leaving the network boot to the next boot option\n", item);
    return kAborted;
  }
  log("mpxe: boot server discovery for '%s' (type %u)\n", item, plan.item.type);
  Status s = session.discover(plan.request);
  const net::PxeDiscovery* d = session.last_discovery();
  if (is_error(s)) {
    if (d != nullptr && d->failure() == net::PxeDiscoveryFailure::NoReply) {
      log("mpxe: %s after %u requests to", net::pxe_discovery_failure_text(d->failure()),
          d->requests_sent());
      for (size_t i = 0; i < d->target_count(); ++i) {
        char to[16];
        d->target(i).dst.format(to, sizeof(to));
        log(" %s:%u", to, d->target(i).dst_port);
      }
      log("\n");
    } else {
      log("mpxe: boot server discovery failed: %s\n",
          d != nullptr ? net::pxe_discovery_failure_text(d->failure()) : status_text(s));
    }
    return s;
  }
  char from[16];
  d->replied_from().format(from, sizeof(from));
  log("mpxe: boot server %s answered (layer %u)\n", from, d->layer());
  return kSuccess;
}

}  // namespace mpxe::driver
