// A split virtqueue (virtio 1.1, 2.6) over memory the caller provides, in the
// legacy layout (2.6.2: used ring on the next 4 KiB boundary), which a modern
// device accepts too when the three parts' addresses are given separately.
//
// Portable: no device access here. The driver maps the memory for DMA, tells the
// device where it is, and rings the doorbell when add() says so.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace mpxe::nic {

class Virtqueue {
 public:
  static constexpr uint16_t kDescNext = 1;
  static constexpr uint16_t kDescWrite = 2;  // device writes into this buffer
  static constexpr size_t kAlign = 4096;

  struct Desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
  };
  static_assert(sizeof(Desc) == 16);

  struct UsedElem {
    uint32_t id;
    uint32_t len;
  };
  static_assert(sizeof(UsedElem) == 8);

  // Bytes of DMA memory a queue of `size` entries needs in the legacy layout.
  static size_t memory_size(uint16_t size);

  // `memory` must be zeroed, 4 KiB aligned and memory_size(size) long; `device_base`
  // is the address the device sees for it. size must be a power of two.
  void init(void* memory, uint64_t device_base, uint16_t size);

  uint16_t size() const { return size_; }
  uint16_t free_count() const { return free_count_; }
  uint64_t desc_device_addr() const { return device_base_; }
  uint64_t avail_device_addr() const { return device_base_ + avail_offset_; }
  uint64_t used_device_addr() const { return device_base_ + used_offset_; }

  // Queues one buffer; `cookie` comes back from pop_used(). Returns false when
  // the ring is full. The buffer becomes visible to the device only at publish().
  bool add(uint64_t device_addr, uint32_t len, bool device_writes, uint32_t cookie);
  // Makes every buffer added since the last publish visible to the device.
  // Returns true when the device wants a notification.
  bool publish();

  // Takes one buffer the device has finished with.
  bool pop_used(uint32_t* cookie, uint32_t* written_len);

 private:
  uint16_t* avail_flags() const;
  uint16_t* avail_idx() const;
  uint16_t* avail_ring() const;
  uint16_t* used_flags() const;
  uint16_t* used_idx() const;
  UsedElem* used_ring() const;

  uint8_t* base_ = nullptr;
  uint64_t device_base_ = 0;
  size_t avail_offset_ = 0;
  size_t used_offset_ = 0;
  uint16_t size_ = 0;
  uint16_t free_head_ = 0;
  uint16_t free_count_ = 0;
  uint16_t avail_shadow_ = 0;   // our next avail index, published by publish()
  uint16_t published_ = 0;      // avail index the device has seen
  uint16_t last_used_ = 0;      // next used index to consume
  uint32_t cookies_[1024] = {};  // by descriptor index; queues are at most 1024 long
};

}  // namespace mpxe::nic
