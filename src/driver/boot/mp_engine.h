// The firmware face of the multi-processor engine: finds EFI_MP_SERVICES_PROTOCOL,
// starts the download workers (src/mp) on the application processors with one
// non-blocking StartupAllAPs, and stops them again. BSP only: every call here is a
// boot-service call. The AP side is CopyPipeline::serve() and nothing else.
//
// Every failure degrades to zero workers (the pipeline then runs copy and hash
// inline on the BSP): protocol missing, one processor, StartupAllAPs refused,
// workers_wanted 0 (--cores 1), or APs that did not come back from the last run.
#pragma once

#include <stdint.h>

#include "mp/copy_pipeline.h"
#include "uefi/protocols/mp_services.h"

namespace mpxe::driver {

class MpEngine {
 public:
  // Locates MP services, counts the enabled processors and allocates the pipeline
  // (boot-services pages: 64-byte alignment for its cache-line layout). False only
  // when memory runs out; a missing protocol is not an error.
  bool init();
  // Frees the pipeline; only after stop() returned true (or start() was never called).
  void release();

  mp::CopyPipeline* pipeline() { return pipeline_; }
  // Enabled processors, the BSP included; 1 without MP services.
  uint32_t enabled_processors() const { return enabled_; }
  // Workers of the current run (0: inline).
  uint32_t workers() const { return workers_; }

  // Up to min(workers_wanted, APs, kMaxWorkers) workers for this download, on
  // standby: they are started (StartupAllAPs, non-blocking) only when tick() is
  // told the BSP has fallen behind, and they park again once idle. Logs why it
  // runs inline when it must. Returns the workers on standby.
  uint32_t start(uint32_t workers_wanted);
  // From the BSP's download loop; at most one CheckEvent. Notices workers that
  // parked (every AP back in MP services, sleeping rather than spinning on a
  // host core), and starts the standby workers when `behind` (the BSP has more
  // work queued than it does in its idle time).
  void tick(bool behind);
  // Sets the stop flag and polls the WaitEvent until every AP procedure has
  // returned, for at most kStopTimeoutMs. False (logged) if they did not: the
  // APs are then considered lost and start() runs inline from then on. The
  // pipeline keeps any queued jobs; CopyPipeline::poll() runs them on the BSP.
  bool stop();

  // Runs procedure(argument) on every AP with one non-blocking StartupAllAPs, for
  // work of its own (HTTP connections: mp::HttpShards::serve). The procedure
  // follows the same rules as the pipeline's workers and returns once its work
  // is done or it was told to stop; tick() notices the end, stop() waits for it.
  // False (logged) when there is no AP to run it or StartupAllAPs refused.
  bool run_on_aps(uefi::ApProcedure procedure, void* argument);

  // StartupAllAPs calls in this engine's life.
  uint32_t launches() const { return launches_; }
  uint32_t standby() const { return standby_; }

  static constexpr uint32_t kStopTimeoutMs = 2000;
  // Idle rounds of at most Backoff::kMaxPauses PAUSEs each: about 2.6 ms under
  // TCG (a PAUSE costs about 0.2 us there), less on hardware. An AP that spins
  // takes a host core from the BSP and QEMU's network thread under TCG, so idle
  // workers go back to sleep soon.
  static constexpr uint32_t kParkAfterRounds = 50;

 private:
  bool launch(uint32_t n);
  // Why no AP can be started at all, or null when one can.
  const char* unavailable() const;
  // StartupAllAPs(procedure, argument) with done_ as its WaitEvent.
  bool startup(uefi::ApProcedure procedure, void* argument);

  uefi::MpServicesProtocol* mp_ = nullptr;
  mp::CopyPipeline* pipeline_ = nullptr;
  uefi::Event done_ = nullptr;  // WaitEvent of the run in progress
  uint32_t enabled_ = 1;
  uint32_t workers_ = 0;
  uint32_t standby_ = 0;  // workers to start when the BSP falls behind (0: none)
  uint32_t launches_ = 0;
  bool running_ = false;  // StartupAllAPs succeeded and the event has not fired yet
  bool lost_ = false;     // APs did not return from a run
};

}  // namespace mpxe::driver
