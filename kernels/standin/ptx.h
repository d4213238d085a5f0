// What the stand-in reads from the PTX a program loads (ptx.cpp): its ISA version and, per entry point,
// the parameter sizes, whether it has a barrier and its static shared memory. The PTX itself is never
// executed: the kernels run as compiled for the host from the same sources, and these facts are what
// tie the two together (stale PTX is refused, a kernel with a barrier runs its threads as fibers).
#pragma once
#include <string>
#include <vector>

namespace cimsim {

struct PtxEntry {
    std::string name;
    std::vector<size_t> paramSizes;
    bool barriers = false;
    size_t sharedBytes = 0;
};

struct Ptx {
    int versionMajor = 0, versionMinor = 0;
    std::vector<PtxEntry> entries;
};

/** Parses the entry points of a PTX text; on malformed text, an empty entry list and why in error. */
Ptx parsePtx(const std::string& text, std::string& error);

}  // namespace cimsim
