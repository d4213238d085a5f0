// The CPU stand-in for the NVIDIA driver (scripts/cuda-standin.sh builds it as libcuda.so.1): what the
// kernel sources, the module registry and the driver functions share. Nothing here is CUDA's; it is the
// stand-in's own plumbing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cimsim {

struct Dim3 {
    unsigned x, y, z;
};

/** The running GPU thread's coordinates: one set per worker thread, switched with the fibers. */
struct Coords {
    Dim3 threadIdx, blockIdx, blockDim, gridDim;
};
extern thread_local Coords coords;

/** The block barrier: the running fiber waits until every thread of its block has reached one. */
void syncthreads();

/** Ends the running launch as a device fault (trap, failed check): the launch reports LAUNCH_FAILED. */
[[noreturn]] void trap(const char* what, const char* file, int line);

/** One kernel parameter as the host build declares it: its size and whether it is a device pointer. */
struct Param {
    size_t size;
    bool pointer;
};

/** A kernel of the host build: its name, parameters and how to call it with cuLaunchKernel's array. */
struct Entry {
    std::string name;
    std::vector<Param> params;
    void (*invoke)(void* fn, void** args);
    void* fn;
};

/** Every kernel of one kernels/NAME.cu, as compiled for the host; registered at library load. */
void registerModule(const char* module, std::vector<Entry> entries);
const std::vector<std::pair<std::string, std::vector<Entry>>>& modules();

}  // namespace cimsim
