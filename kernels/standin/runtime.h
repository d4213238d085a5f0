// How the stand-in runs one launch: blocks in parallel on worker threads, the threads of a block as
// fibers that switch only at __syncthreads (runtime.cpp).
#pragma once
#include <string>

#include "standin.h"

namespace cimsim {

/** The order blocks, and the threads between two barriers, run in (CIMTRAIN_STANDIN_ORDER). */
enum class Order { Forward, Reverse, Shuffle };

struct Launch {
    const Entry* entry;
    void** args;
    Dim3 grid, block;
    bool barriers;  // the PTX of the kernel has a barrier: its threads run as fibers
};

/** What went wrong in a launch; status 0 when nothing did. */
struct Fault {
    int status = 0;
    std::string message;
};

/** Runs every block of a launch and returns when all have finished (or the first fault). */
Fault run(const Launch& launch);

/** The worker threads (CIMTRAIN_STANDIN_THREADS, default: the online CPUs). */
int workerCount();
Order order();

}  // namespace cimsim
