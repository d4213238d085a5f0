// Host check of philox.cuh (no GPU needed): prints elements [from, from + count) of the uniform and
// normal streams (seed, stream) as float bit patterns in hex, one "u n" pair a line.
// PhiloxCudaHostTest builds it with nvcc and compares every bit with cimtrain.rng.Philox.
#include <cstdio>
#include <cstdlib>
#include "../philox.cuh"

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: philox_host SEED STREAM FROM COUNT\n");
        return 2;
    }
    unsigned long long seed = std::strtoull(argv[1], nullptr, 0), stream = std::strtoull(argv[2], nullptr, 0);
    unsigned long long from = std::strtoull(argv[3], nullptr, 0), count = std::strtoull(argv[4], nullptr, 0);
    for (unsigned long long i = from; i < from + count; i++) {
        std::printf("%08x %08x\n", cim::float_to_bits(cim::uniform_at(seed, stream, i)),
                    cim::float_to_bits(cim::normal_at(seed, stream, i)));
    }
    return 0;
}
