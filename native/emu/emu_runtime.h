// What the driver-API layer (emu_driver.cpp) needs from the scheduler (emu_runtime.cpp).
#pragma once

#include "cuda_emu.h"

#include <string>
#include <vector>

namespace emu {
const std::string& last_error();
void set_error(std::string message);
void configure(int threads, int reverse);  // threads <= 0 or reverse < 0 keep the current setting
int configured_threads();
std::vector<KernelEntry*>& registry();
KernelEntry* find_kernel(const char* name);
int set_max_dynamic_smem(KernelEntry& entry, int bytes);
// Whether [address, address + bytes) lies inside one live cuMemAlloc allocation (emu_driver.cpp; the emulated cuBLAS
// checks its operands with it, so that a wrong leading dimension fails instead of reading the host heap).
bool device_range_live(unsigned long long address, size_t bytes);
}  // namespace emu
