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

  // Arms the pipeline for min(workers_wanted, APs, kMaxWorkers) workers and
  // starts them on every AP with StartupAllAPs(SingleThread=FALSE, WaitEvent,
  // timeout 0); returns at once. Logs "mpxe: mp: N workers on APs" or
  // "mpxe: mp: running inline (<reason>)". Returns the worker count.
  uint32_t start(uint32_t workers_wanted);
  // From the BSP's download loop; one CheckEvent. Workers idle for about
  // kParkAfterRounds back-off rounds park (return to MP services, where an AP
  // sleeps instead of spinning on a host core); once all have, the pipeline runs
  // inline, and once the BSP has submitted kRelaunchAfterJobs jobs since, the
  // workers are started again (silently; see relaunches()).
  void tick();
  // Sets the stop flag and polls the WaitEvent until every AP procedure has
  // returned, for at most kStopTimeoutMs. False (logged) if they did not: the
  // APs are then considered lost and start() runs inline from then on. The
  // pipeline keeps any queued jobs; CopyPipeline::poll() runs them on the BSP.
  bool stop();

  uint32_t relaunches() const { return relaunches_; }

  static constexpr uint32_t kStopTimeoutMs = 2000;
  // Idle rounds of at most Backoff::kMaxPauses PAUSEs each: about 26 ms under
  // TCG (a PAUSE costs about 0.2 us there), a few ms on hardware.
  static constexpr uint32_t kParkAfterRounds = 500;
  static constexpr uint64_t kRelaunchAfterJobs = 64;

 private:
  bool launch(uint32_t n);

  uefi::MpServicesProtocol* mp_ = nullptr;
  mp::CopyPipeline* pipeline_ = nullptr;
  uefi::Event done_ = nullptr;  // WaitEvent of the run in progress
  uint32_t enabled_ = 1;
  uint32_t workers_ = 0;
  uint32_t parked_workers_ = 0;  // workers of a run that ended by parking (0: none)
  uint64_t submitted_at_park_ = 0;  // pipeline submissions when the run ended
  uint32_t relaunches_ = 0;
  bool running_ = false;  // StartupAllAPs succeeded and the event has not fired yet
  bool lost_ = false;     // APs did not return from a run
};

}  // namespace mpxe::driver
