#include "driver/boot/mp_engine.h"

#include "uefi/runtime/efi.h"
#include "uefi/runtime/log.h"
#include "uefi/runtime/memory.h"

namespace mpxe::driver {
namespace {

using uefi::bs;
using uefi::is_error;
using uefi::log;
using uefi::Status;
using uefi::status_text;

constexpr uint64_t kPageSize = 4096;
constexpr uint64_t kPipelinePages = (sizeof(mp::CopyPipeline) + kPageSize - 1) / kPageSize;
static_assert(kPageSize % mp::CopyPipeline::kAlignment == 0);

// What every AP runs. Rules for code on APs (docs/mp.md): it calls into src/mp
// only, which cannot name a boot service, a protocol or the log; no firmware
// code runs here. It returns when the pipeline is stopped, when the worker has
// been idle long enough to park, or at once on an AP for which the pipeline has
// no worker index.
void ap_procedure(void* argument) {
  static_cast<mp::CopyPipeline*>(argument)->serve(mp::CopyPipeline::kDefaultBudget,
                                                  MpEngine::kParkAfterRounds);
}

}  // namespace

bool MpEngine::init() {
  void* found = nullptr;
  Status s = bs()->LocateProtocol(&uefi::kMpServicesProtocolGuid, nullptr, &found);
  if (!is_error(s) && found != nullptr) {
    auto* mp = static_cast<uefi::MpServicesProtocol*>(found);
    uefi::Uintn count = 0;
    uefi::Uintn enabled = 0;
    s = mp->GetNumberOfProcessors(mp, &count, &enabled);
    if (!is_error(s) && enabled >= 1) {
      mp_ = mp;
      enabled_ = static_cast<uint32_t>(enabled);
    }
  }
  if (pipeline_ != nullptr) return true;
  uefi::PhysicalAddress pages = 0;
  s = bs()->AllocatePages(uefi::AllocateType::AnyPages, uefi::MemoryType::BootServicesData,
                          kPipelinePages, &pages);
  if (is_error(s)) {
    log("mpxe: mp: no memory for the pipeline (%llu pages): %s\n", kPipelinePages,
        status_text(s));
    return false;
  }
  pipeline_ = new (reinterpret_cast<void*>(pages)) mp::CopyPipeline();
  return true;
}

void MpEngine::release() {
  if (pipeline_ == nullptr || running_ || lost_) return;  // APs may still read it
  bs()->FreePages(reinterpret_cast<uefi::PhysicalAddress>(pipeline_), kPipelinePages);
  pipeline_ = nullptr;
}

uint32_t MpEngine::start(uint32_t workers_wanted) {
  if (pipeline_ == nullptr) return 0;
  if (running_) return workers_;
  workers_ = 0;
  standby_ = 0;
  const char* reason = workers_wanted == 0 && !lost_ ? "no workers wanted" : unavailable();
  if (!lost_) pipeline_->arm(0);
  if (reason != nullptr) {
    log("mpxe: mp: running inline (%s)\n", reason);
    return 0;
  }
  uint32_t n = workers_wanted;
  if (n > enabled_ - 1) n = enabled_ - 1;
  if (n > mp::CopyPipeline::kMaxWorkers) n = mp::CopyPipeline::kMaxWorkers;
  standby_ = n;
  log("mpxe: mp: %u worker%s on standby on %u APs\n", n, n == 1 ? "" : "s", enabled_ - 1);
  return n;
}

// Arms the pipeline for n workers and starts the AP procedure on every AP.
bool MpEngine::launch(uint32_t n) {
  standby_ = 0;  // a launch that fails is not retried: inline from then on
  if (!pipeline_->arm(n)) {
    log("mpxe: mp: running inline (workers of an earlier run still checked in)\n");
    return false;
  }
  if (!startup(ap_procedure, pipeline_)) {
    pipeline_->arm(0);
    return false;
  }
  workers_ = n;
  standby_ = n;
  return true;
}

bool MpEngine::startup(uefi::ApProcedure procedure, void* argument) {
  // An event with no notification function: StartupAllAPs then returns at once,
  // and MP services signal it when the last AP procedure has returned.
  Status s = bs()->CreateEvent(0, uefi::kTplCallback, nullptr, nullptr, &done_);
  if (is_error(s)) {
    done_ = nullptr;
    log("mpxe: mp: running inline (CreateEvent: %s)\n", status_text(s));
    return false;
  }
  s = mp_->StartupAllAPs(mp_, procedure, /*single_thread=*/0, done_,
                         /*timeout_us=*/0, argument, /*failed_cpu_list=*/nullptr);
  if (is_error(s)) {
    bs()->CloseEvent(done_);
    done_ = nullptr;
    log("mpxe: mp: running inline (StartupAllAPs: %s)\n", status_text(s));
    return false;
  }
  running_ = true;
  ++launches_;
  return true;
}

const char* MpEngine::unavailable() const {
  if (lost_) return "APs lost in an earlier run";
  if (mp_ == nullptr) return "no MP services protocol";
  if (enabled_ < 2) return "no application processor";
  return nullptr;
}

bool MpEngine::run_on_aps(uefi::ApProcedure procedure, void* argument) {
  const char* reason = running_ ? "the APs are busy" : unavailable();
  if (reason != nullptr) {
    log("mpxe: mp: running inline (%s)\n", reason);
    return false;
  }
  return startup(procedure, argument);
}

void MpEngine::tick(bool behind) {
  if (running_) {
    // Not signalled while any AP is still in its procedure.
    if (bs()->CheckEvent(done_) != uefi::kSuccess) return;
    // Every worker parked (a stop goes through stop()): the APs sleep now.
    bs()->CloseEvent(done_);
    done_ = nullptr;
    running_ = false;
    workers_ = 0;
    return;
  }
  if (!behind || standby_ == 0 || lost_ || pipeline_->stop_requested()) return;
  launch(standby_);
}

bool MpEngine::stop() {
  if (pipeline_ != nullptr) pipeline_->request_stop();
  standby_ = 0;
  if (!running_) return !lost_;
  // MP services notice returned APs from a periodic timer, so this may take a
  // tick even though the workers leave serve() within one batch.
  for (uint32_t waited_ms = 0;; ++waited_ms) {
    Status s = bs()->CheckEvent(done_);
    if (s == uefi::kSuccess) break;
    if (s != uefi::kNotReady || waited_ms >= kStopTimeoutMs) {
      log("mpxe: mp: APs did not return within %u ms (%u of %u workers still in, "
          "CheckEvent: %s); not using them again\n",
          waited_ms, pipeline_->running_workers(), workers_, status_text(s));
      lost_ = true;
      running_ = false;
      workers_ = 0;
      return false;
    }
    bs()->Stall(1000);
  }
  bs()->CloseEvent(done_);
  done_ = nullptr;
  running_ = false;
  workers_ = 0;
  return true;
}

}  // namespace mpxe::driver
