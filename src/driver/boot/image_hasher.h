// The image's SHA-256 during a download, on the MP pipeline: the BSP tells it
// which bytes of the image are in place (in order), and the hash happens off the
// protocol's critical path -- on the BSP while it waits for the network, or on an
// AP's worker once the BSP is behind (docs/mp.md, "What runs where"). BSP only.
#pragma once

#include <stdint.h>

#include "core/sha256.h"
#include "driver/boot/mp_engine.h"

namespace mpxe::driver {

class ImageHasher {
 public:
  // With `hash_on_ap` the standby worker starts at the first unhashed byte
  // (mpxe run --hash-on-ap), otherwise once the BSP is kBehindBytes behind. While
  // a worker runs, the BSP leaves the hash to it. A hasher that is not `enabled`
  // (nobody asked for a digest) does nothing at all, so a boot waits for no hash,
  // and needs no pipeline: `mp` may not have one yet.
  ImageHasher(MpEngine& mp, bool hash_on_ap, bool enabled = true);

  bool enabled() const { return enabled_; }

  // Bytes [offset, offset + length) of the image are final; offset is where the
  // last call ended. Hashes on the BSP only when a whole job table waits.
  void add(uint64_t offset, uint64_t length);
  // The BSP found no frame to handle: hash what the APs have not.
  void idle();
  // Once the transfer is over and the APs are stopped: the rest, on the BSP.
  // Not for a hasher that is not enabled.
  void finish(uint8_t digest[Sha256::kDigestSize]);

  uint64_t hash_ticks() const { return hash_ticks_; }

 private:
  // A 1428-byte block hashes in a few microseconds; the budget keeps the BSP's
  // answer to the next frame prompt even when the hash has fallen behind.
  static constexpr uint64_t kIdleHashBudget = 16 * 1024;
  // Unhashed bytes beyond which the BSP counts as behind and wakes the standby
  // worker. Lock-step TFTP over virtio-net never gets there: the BSP hashes each
  // block in the wait for the next one, and an AP spinning beside it under TCG
  // only takes a host core from the BSP and QEMU's network thread (measured:
  // half the throughput).
  static constexpr uint64_t kBehindBytes = 512 * 1024;
  // One CheckEvent per this many additions when no idle time comes.
  static constexpr uint32_t kTickEvery = 32;
  // The largest job: TCP hands over megabytes at once, the table wants many jobs.
  static constexpr uint64_t kMaxJob = 64 * 1024;

  void reap();
  bool bsp_hash(uint64_t budget);
  void tick();

  MpEngine& mp_;
  mp::CopyPipeline* pipeline_;  // null when not enabled
  uint64_t behind_bytes_;
  bool enabled_;
  uint32_t adds_ = 0;
  uint64_t hash_ticks_ = 0;
};

}  // namespace mpxe::driver
