#include "driver/nic/virtqueue.h"

namespace mpxe::nic {
namespace {

constexpr size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }
constexpr uint16_t kUsedFlagNoNotify = 1;

}  // namespace

size_t Virtqueue::memory_size(uint16_t size) {
  size_t desc_and_avail = sizeof(Desc) * size + sizeof(uint16_t) * (3 + size);
  size_t used = sizeof(uint16_t) * 3 + sizeof(UsedElem) * size;
  return align_up(desc_and_avail, kAlign) + align_up(used, kAlign);
}

void Virtqueue::init(void* memory, uint64_t device_base, uint16_t size) {
  base_ = static_cast<uint8_t*>(memory);
  device_base_ = device_base;
  size_ = size > 1024 ? 1024 : size;
  avail_offset_ = sizeof(Desc) * size_;
  used_offset_ = align_up(avail_offset_ + sizeof(uint16_t) * (3 + size_), kAlign);
  Desc* desc = reinterpret_cast<Desc*>(base_);
  for (uint16_t i = 0; i < size_; ++i) desc[i].next = static_cast<uint16_t>(i + 1);
  free_head_ = 0;
  free_count_ = size_;
  avail_shadow_ = published_ = last_used_ = 0;
}

uint16_t* Virtqueue::avail_flags() const {
  return reinterpret_cast<uint16_t*>(base_ + avail_offset_);
}
uint16_t* Virtqueue::avail_idx() const { return avail_flags() + 1; }
uint16_t* Virtqueue::avail_ring() const { return avail_flags() + 2; }
uint16_t* Virtqueue::used_flags() const { return reinterpret_cast<uint16_t*>(base_ + used_offset_); }
uint16_t* Virtqueue::used_idx() const { return used_flags() + 1; }
Virtqueue::UsedElem* Virtqueue::used_ring() const {
  return reinterpret_cast<UsedElem*>(base_ + used_offset_ + 2 * sizeof(uint16_t));
}

bool Virtqueue::add(uint64_t device_addr, uint32_t len, bool device_writes, uint32_t cookie) {
  if (free_count_ == 0) return false;
  uint16_t head = free_head_;
  Desc* desc = reinterpret_cast<Desc*>(base_) + head;
  free_head_ = desc->next;
  --free_count_;
  desc->addr = device_addr;
  desc->len = len;
  desc->flags = device_writes ? kDescWrite : 0;
  cookies_[head] = cookie;
  avail_ring()[avail_shadow_ & (size_ - 1)] = head;
  ++avail_shadow_;
  return true;
}

bool Virtqueue::publish() {
  if (avail_shadow_ == published_) return false;
  // 2.6.13: the ring entries must be visible before the index that exposes them.
  __atomic_store_n(avail_idx(), avail_shadow_, __ATOMIC_RELEASE);
  published_ = avail_shadow_;
  // The device's flag is read after our index store (full fence: store-load).
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  return (__atomic_load_n(used_flags(), __ATOMIC_RELAXED) & kUsedFlagNoNotify) == 0;
}

bool Virtqueue::pop_used(uint32_t* cookie, uint32_t* written_len) {
  uint16_t device_idx = __atomic_load_n(used_idx(), __ATOMIC_ACQUIRE);
  if (device_idx == last_used_) return false;
  const UsedElem& elem = used_ring()[last_used_ & (size_ - 1)];
  ++last_used_;
  uint16_t id = static_cast<uint16_t>(elem.id);
  if (id >= size_) return false;  // a broken device; never index out of the table
  *cookie = cookies_[id];
  *written_len = elem.len;
  Desc* desc = reinterpret_cast<Desc*>(base_) + id;
  desc->next = free_head_;
  free_head_ = id;
  ++free_count_;
  return true;
}

}  // namespace mpxe::nic
