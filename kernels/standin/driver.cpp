// The driver functions JCuda's binding calls for cimtrain's CUDA backend, implemented on the CPU with a
// real device's rules: calls before cuInit or without a current context are refused; launches outside
// sm_90's limits (1,024 threads a block, grid y and z at most 65,535, 48 KB of static shared memory)
// fail with the driver's error codes; copies and memsets must lie inside live allocations; a new
// allocation holds NaN bytes and is followed by a no-access page (bytes between its end and that page
// are checked after every launch); a kernel's fault is sticky, as on a device: every later call of the
// context returns it, until the primary context is released by all and made anew. A launch's error
// surfaces at the next call (cuCtxSynchronize, a copy), or at the launch itself with
// CUDA_LAUNCH_BLOCKING=1. The device calls itself "cimtrain CPU stand-in".
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "ptx.h"
#include "runtime.h"
#include "standin.h"

#define API extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

enum : int {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_PTX = 218,
    CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};

namespace {

constexpr const char* DEVICE_NAME = "cimtrain CPU stand-in";
constexpr int DRIVER_VERSION = 13000;          // CUDA 13.0: loads PTX ISA up to 9.0, as driver release 580
constexpr int MAX_THREADS = 1024, MAX_BLOCK_Z = 64;
constexpr unsigned MAX_GRID_X = 2147483647u, MAX_GRID_YZ = 65535u;
constexpr size_t MAX_SHARED = 48 * 1024;       // static shared memory a block may declare
constexpr unsigned char FILL = 0xFF;            // new memory and the bytes around it: NaN in every float

struct Allocation {
    char* map;       // the mapping: a no-access page, the data pages, a no-access page
    size_t mapped;
    char* data;      // where the user's bytes start (16-byte aligned, ending as close to the page as allowed)
    size_t bytes;
    char* usable;    // the data pages: [usable, usable + usableBytes)
    size_t usableBytes;
};

struct Function;

struct Module {
    std::string name;
    std::map<std::string, Function*> functions;
};

struct Function {
    const cimsim::Entry* entry;
    cimsim::PtxEntry ptx;
    Module* module;
};

// CIMTRAIN_STANDIN_PROFILE=1: launches and seconds per kernel, printed to stderr at exit
struct Profile {
    long long launches = 0;
    double seconds = 0;
};
std::map<std::string, Profile>* profile = nullptr;

void printProfile() {
    double total = 0;
    for (auto& kv : *profile) total += kv.second.seconds;
    fprintf(stderr, "cimtrain CPU stand-in: kernel time %.3f s\n", total);
    for (auto& kv : *profile) {
        fprintf(stderr, "  %-28s %9lld launches %9.3f s\n", kv.first.c_str(), kv.second.launches, kv.second.seconds);
    }
}

/** The primary context of device 0, the only one there is. */
struct Context {
    int refs = 0;
    CUresult sticky = CUDA_SUCCESS;  // a kernel's fault: every call of the context returns it from then on
    std::map<CUdeviceptr, Allocation> allocations;
    size_t liveBytes = 0;
    std::set<Module*> modules;
};

std::mutex lock;
bool initialised = false;
Context primary;
thread_local Context* current = nullptr;
const bool launchBlocking = getenv("CUDA_LAUNCH_BLOCKING") != nullptr && strcmp(getenv("CUDA_LAUNCH_BLOCKING"), "1") == 0;

size_t pageSize() {
    static const size_t p = (size_t) sysconf(_SC_PAGESIZE);
    return p;
}

size_t totalMemory() {
    static const size_t t = (size_t) sysconf(_SC_PHYS_PAGES) * pageSize() / 2;
    return t;
}

void say(const char* fmt, const std::string& a, const std::string& b = "") {
    fprintf(stderr, "cimtrain CPU stand-in: ");
    fprintf(stderr, fmt, a.c_str(), b.c_str());
    fputc('\n', stderr);
}

/** The context a call works in, or why there is none (with the lock held). */
CUresult usable(Context*& ctx) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    ctx = current;
    if (ctx == nullptr || ctx->refs == 0) return CUDA_ERROR_INVALID_CONTEXT;
    return ctx->sticky;
}

/** The allocation holding [p, p + n), or null. */
const Allocation* holding(Context* ctx, CUdeviceptr p, size_t n) {
    auto it = ctx->allocations.upper_bound(p);
    if (it == ctx->allocations.begin()) return nullptr;
    --it;
    const Allocation& a = it->second;
    CUdeviceptr start = (CUdeviceptr) (uintptr_t) a.data;
    if (p < start || p + n > start + a.bytes || p + n < p) return nullptr;
    return &a;
}

void release(Allocation& a) {
    munmap(a.map, a.mapped);
}

void destroy(Context* ctx) {
    for (auto& kv : ctx->allocations) release(kv.second);
    ctx->allocations.clear();
    ctx->liveBytes = 0;
    for (Module* m : ctx->modules) {
        for (auto& f : m->functions) delete f.second;
        delete m;
    }
    ctx->modules.clear();
    ctx->sticky = CUDA_SUCCESS;
}

/** The first byte written outside its allocation (between the data and the no-access pages), if any. */
std::string strayWrites(Context* ctx) {
    for (auto& kv : ctx->allocations) {
        const Allocation& a = kv.second;
        for (char* p = a.usable; p < a.data; p++) {
            if ((unsigned char) *p != FILL) {
                char m[160];
                snprintf(m, sizeof m, "a write %ld bytes before the allocation of %zu bytes at %p",
                         (long) (a.data - p), a.bytes, (void*) a.data);
                return m;
            }
        }
        for (char* p = a.data + a.bytes; p < a.usable + a.usableBytes; p++) {
            if ((unsigned char) *p != FILL) {
                char m[160];
                snprintf(m, sizeof m, "a write %ld bytes past the end of the allocation of %zu bytes at %p",
                         (long) (p - (a.data + a.bytes)) + 1, a.bytes, (void*) a.data);
                return m;
            }
        }
        // the slack is refilled lazily: only after a stray write would it differ
    }
    return "";
}

std::string dims(unsigned x, unsigned y, unsigned z) {
    return std::to_string(x) + "x" + std::to_string(y) + "x" + std::to_string(z);
}

}  // namespace

// ---- initialisation, device ----

API CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> g(lock);
    if (!initialised && getenv("CIMTRAIN_STANDIN_PROFILE") != nullptr) {
        profile = new std::map<std::string, Profile>();
        atexit(printProfile);
    }
    initialised = true;
    return CUDA_SUCCESS;
}

API CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = DRIVER_VERSION;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetCount(int* count) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
    *device = 0;
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetName(char* name, int len, CUdevice device) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t) len, "%s", DEVICE_NAME);
    return CUDA_SUCCESS;
}

API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice device) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *bytes = totalMemory();
    return CUDA_SUCCESS;
}

API CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice device) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {  // CUdevice_attribute numbers; an H100's (sm_90) limits
        case 1: *value = MAX_THREADS; break;                      // MAX_THREADS_PER_BLOCK
        case 2: case 3: *value = MAX_THREADS; break;              // MAX_BLOCK_DIM_X, _Y
        case 4: *value = MAX_BLOCK_Z; break;                      // MAX_BLOCK_DIM_Z
        case 5: *value = (int) MAX_GRID_X; break;                 // MAX_GRID_DIM_X
        case 6: case 7: *value = (int) MAX_GRID_YZ; break;        // MAX_GRID_DIM_Y, _Z
        case 8: *value = (int) MAX_SHARED; break;                 // MAX_SHARED_MEMORY_PER_BLOCK
        case 10: *value = 32; break;                              // WARP_SIZE
        case 16: *value = cimsim::workerCount(); break;           // MULTIPROCESSOR_COUNT: the worker threads
        case 75: *value = 9; break;                               // COMPUTE_CAPABILITY_MAJOR
        case 76: *value = 0; break;                               // COMPUTE_CAPABILITY_MINOR
        default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

// ---- the primary context ----

API CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice device) {
    std::lock_guard<std::mutex> g(lock);
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    primary.refs++;
    *ctx = &primary;
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice device) {
    std::lock_guard<std::mutex> g(lock);
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (primary.refs == 0) return CUDA_ERROR_INVALID_CONTEXT;
    if (--primary.refs == 0) destroy(&primary);  // every allocation and module of the context goes with it
    return CUDA_SUCCESS;
}

API CUresult cuDevicePrimaryCtxGetState(CUdevice device, unsigned* flags, int* active) {
    std::lock_guard<std::mutex> g(lock);
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (device != 0) return CUDA_ERROR_INVALID_DEVICE;
    if (flags == nullptr || active == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *flags = 0;
    *active = primary.refs > 0;
    return CUDA_SUCCESS;
}

API CUresult cuCtxSetCurrent(void* ctx) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx != nullptr && ctx != &primary) return CUDA_ERROR_INVALID_CONTEXT;
    current = static_cast<Context*>(ctx);
    return CUDA_SUCCESS;
}

API CUresult cuCtxGetCurrent(void** ctx) {
    if (!initialised) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *ctx = current;
    return CUDA_SUCCESS;
}

API CUresult cuCtxSynchronize() {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    return usable(ctx);  // launches run to their end before they return: only a fault is left to report
}

// ---- memory ----

API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (dptr == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    if (bytes > totalMemory() - ctx->liveBytes) return CUDA_ERROR_OUT_OF_MEMORY;
    size_t page = pageSize(), span = (bytes + 15) & ~(size_t) 15;
    size_t dataPages = (span + page - 1) / page, mapped = (dataPages + 2) * page;
    void* m = mmap(nullptr, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return CUDA_ERROR_OUT_OF_MEMORY;
    Allocation a;
    a.map = (char*) m;
    a.mapped = mapped;
    a.usable = a.map + page;
    a.usableBytes = dataPages * page;
    if (mprotect(a.usable, a.usableBytes, PROT_READ | PROT_WRITE) != 0) {
        munmap(m, mapped);
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    memset(a.usable, FILL, a.usableBytes);
    a.data = a.usable + a.usableBytes - span;  // the end abuts the no-access page, or lies within 15 bytes of it
    a.bytes = bytes;
    ctx->allocations[(CUdeviceptr) (uintptr_t) a.data] = a;
    ctx->liveBytes += bytes;
    *dptr = (CUdeviceptr) (uintptr_t) a.data;
    return CUDA_SUCCESS;
}

API CUresult cuMemFree_v2(CUdeviceptr p) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r == CUDA_ERROR_NOT_INITIALIZED || r == CUDA_ERROR_INVALID_CONTEXT) return r;
    if (p == 0) return r;  // after a fault too: the memory goes, the fault is still told
    auto it = ctx->allocations.find(p);
    if (it == ctx->allocations.end()) return CUDA_ERROR_INVALID_VALUE;
    ctx->liveBytes -= it->second.bytes;
    release(it->second);
    ctx->allocations.erase(it);
    return r;
}

API CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (free == nullptr || total == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *total = totalMemory();
    *free = totalMemory() - ctx->liveBytes;
    return CUDA_SUCCESS;
}

API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (n == 0) return CUDA_SUCCESS;
    if (src == nullptr || holding(ctx, dst, n) == nullptr) return CUDA_ERROR_INVALID_VALUE;
    memcpy((void*) (uintptr_t) dst, src, n);
    return CUDA_SUCCESS;
}

API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (n == 0) return CUDA_SUCCESS;
    if (dst == nullptr || holding(ctx, src, n) == nullptr) return CUDA_ERROR_INVALID_VALUE;
    memcpy(dst, (const void*) (uintptr_t) src, n);
    return CUDA_SUCCESS;
}

API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (n == 0) return CUDA_SUCCESS;
    if (holding(ctx, dst, n) == nullptr || holding(ctx, src, n) == nullptr) return CUDA_ERROR_INVALID_VALUE;
    memmove((void*) (uintptr_t) dst, (const void*) (uintptr_t) src, n);
    return CUDA_SUCCESS;
}

API CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned value, size_t count) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (count == 0) return CUDA_SUCCESS;
    if (dst % 4 != 0 || count > SIZE_MAX / 4 || holding(ctx, dst, count * 4) == nullptr) return CUDA_ERROR_INVALID_VALUE;
    unsigned* p = (unsigned*) (uintptr_t) dst;
    for (size_t i = 0; i < count; i++) p[i] = value;
    return CUDA_SUCCESS;
}

// ---- modules ----

API CUresult cuModuleLoadData(void** module, const void* image) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (module == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::string text((const char*) image), error;
    cimsim::Ptx ptx = cimsim::parsePtx(text, error);
    if (ptx.entries.empty()) {
        say("the image is not PTX the stand-in can read (%s)%s", error.empty() ? "no entry points" : error);
        return CUDA_ERROR_INVALID_IMAGE;
    }
    if (ptx.versionMajor > 9 || (ptx.versionMajor == 9 && ptx.versionMinor > 0)) return CUDA_ERROR_UNSUPPORTED_PTX_VERSION;
    // the host build's module with the first entry point: the PTX must declare exactly its kernels
    const std::vector<cimsim::Entry>* host = nullptr;
    std::string hostName;
    for (const auto& m : cimsim::modules()) {
        for (const cimsim::Entry& e : m.second) {
            if (e.name == ptx.entries[0].name) {
                host = &m.second;
                hostName = m.first;
            }
        }
    }
    if (host == nullptr) {
        say("the PTX's kernel %s is not in the host build of kernels/*.cu%s: rebuild the stand-in "
            "(scripts/cuda-standin.sh)", ptx.entries[0].name);
        return CUDA_ERROR_INVALID_PTX;
    }
    std::string stale;
    for (const cimsim::PtxEntry& p : ptx.entries) {
        const cimsim::Entry* e = nullptr;
        for (const cimsim::Entry& h : *host) {
            if (h.name == p.name) e = &h;
        }
        if (e == nullptr) {
            stale += " " + p.name + " is not in the host build;";
            continue;
        }
        if (e->params.size() != p.paramSizes.size()) {
            stale += " " + p.name + " takes " + std::to_string(e->params.size()) + " parameters in the host build, "
                     + std::to_string(p.paramSizes.size()) + " in the PTX;";
            continue;
        }
        for (size_t i = 0; i < p.paramSizes.size(); i++) {
            if (e->params[i].size != p.paramSizes[i]) {
                stale += " " + p.name + " parameter " + std::to_string(i) + " has " + std::to_string(e->params[i].size)
                         + " bytes in the host build, " + std::to_string(p.paramSizes[i]) + " in the PTX;";
            }
        }
    }
    for (const cimsim::Entry& h : *host) {
        bool found = false;
        for (const cimsim::PtxEntry& p : ptx.entries) found |= p.name == h.name;
        if (!found) stale += " " + h.name + " is missing from the PTX;";
    }
    if (!stale.empty()) {
        say("the PTX of module %s does not match the kernels the stand-in was built from:%s rebuild both "
            "(scripts/build-kernels.sh, scripts/cuda-standin.sh)", hostName, stale);
        return CUDA_ERROR_INVALID_PTX;
    }
    for (const cimsim::PtxEntry& p : ptx.entries) {
        if (p.sharedBytes > MAX_SHARED) {
            say("kernel %s declares %s bytes of static shared memory; a block may have 49,152", p.name,
                std::to_string(p.sharedBytes));
            return CUDA_ERROR_INVALID_PTX;
        }
    }
    Module* m = new Module();
    m->name = hostName;
    for (const cimsim::PtxEntry& p : ptx.entries) {
        for (const cimsim::Entry& h : *host) {
            if (h.name == p.name) m->functions[p.name] = new Function{&h, p, m};
        }
    }
    ctx->modules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

API CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    if (function == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    Module* m = static_cast<Module*>(module);
    if (ctx->modules.count(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    auto it = m->functions.find(name);
    if (it == m->functions.end()) return CUDA_ERROR_NOT_FOUND;
    *function = it->second;
    return CUDA_SUCCESS;
}

API CUresult cuModuleUnload(void* module) {
    std::lock_guard<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r == CUDA_ERROR_NOT_INITIALIZED || r == CUDA_ERROR_INVALID_CONTEXT) return r;
    Module* m = static_cast<Module*>(module);  // after a fault too: the module goes, the fault is still told
    if (ctx->modules.erase(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    for (auto& f : m->functions) delete f.second;
    delete m;
    return r;
}

// ---- launches ----

API CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned sharedBytes, void* stream, void** params, void** extra) {
    std::unique_lock<std::mutex> g(lock);
    Context* ctx;
    CUresult r = usable(ctx);
    if (r != CUDA_SUCCESS) return r;
    Function* fn = static_cast<Function*>(f);
    bool known = false;
    for (Module* m : ctx->modules) known |= fn != nullptr && m == fn->module;
    if (!known) return CUDA_ERROR_INVALID_HANDLE;
    // legacy default stream only: cimtrain launches everything in call order
    if (stream != nullptr && stream != (void*) 0x1 && stream != (void*) 0x2) return CUDA_ERROR_INVALID_HANDLE;
    if (extra != nullptr) return CUDA_ERROR_NOT_SUPPORTED;
    if (bx == 0 || by == 0 || bz == 0 || gx == 0 || gy == 0 || gz == 0 || bx > (unsigned) MAX_THREADS
        || by > (unsigned) MAX_THREADS || bz > (unsigned) MAX_BLOCK_Z || (unsigned long long) bx * by * bz > MAX_THREADS
        || gx > MAX_GRID_X || gy > MAX_GRID_YZ || gz > MAX_GRID_YZ || fn->ptx.sharedBytes + sharedBytes > MAX_SHARED) {
        return CUDA_ERROR_INVALID_VALUE;
    }
    const cimsim::Entry& e = *fn->entry;
    if (!e.params.empty() && params == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::string what = "kernel " + e.name + " (grid " + dims(gx, gy, gz) + ", block " + dims(bx, by, bz) + ")";
    // a pointer argument must be null or point into a live allocation: what a device would fault on
    for (size_t i = 0; i < e.params.size(); i++) {
        if (!e.params[i].pointer) continue;
        CUdeviceptr p = *static_cast<CUdeviceptr*>(params[i]);
        if (p != 0 && holding(ctx, p, 0) == nullptr) {
            char m[120];
            snprintf(m, sizeof m, ": argument %zu is %#llx, which points into no allocation", i, p);
            say("%s%s", what, m);
            ctx->sticky = CUDA_ERROR_ILLEGAL_ADDRESS;
            return launchBlocking ? ctx->sticky : CUDA_SUCCESS;
        }
    }
    cimsim::Launch launch{&e, params, {gx, gy, gz}, {bx, by, bz}, fn->ptx.barriers};
    g.unlock();  // copies and frees of other threads wait for nothing but the lock; the kernel runs without it
    auto t0 = std::chrono::steady_clock::now();
    cimsim::Fault fault = cimsim::run(launch);
    g.lock();
    if (profile != nullptr) {
        Profile& p = (*profile)[e.name];
        p.launches++;
        p.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    if (fault.status == 0) {
        std::string stray = strayWrites(ctx);
        if (!stray.empty()) {
            fault.status = CUDA_ERROR_ILLEGAL_ADDRESS;
            fault.message = stray;
        }
    }
    if (fault.status != 0) {
        say("%s failed: %s", what, fault.message);
        ctx->sticky = fault.status;
        return launchBlocking ? ctx->sticky : CUDA_SUCCESS;
    }
    return CUDA_SUCCESS;
}

API CUresult cuGetErrorName(CUresult error, const char** name) {
    if (name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    switch (error) {
        case CUDA_SUCCESS: *name = "CUDA_SUCCESS"; break;
        case CUDA_ERROR_INVALID_VALUE: *name = "CUDA_ERROR_INVALID_VALUE"; break;
        case CUDA_ERROR_OUT_OF_MEMORY: *name = "CUDA_ERROR_OUT_OF_MEMORY"; break;
        case CUDA_ERROR_NOT_INITIALIZED: *name = "CUDA_ERROR_NOT_INITIALIZED"; break;
        case CUDA_ERROR_INVALID_DEVICE: *name = "CUDA_ERROR_INVALID_DEVICE"; break;
        case CUDA_ERROR_INVALID_IMAGE: *name = "CUDA_ERROR_INVALID_IMAGE"; break;
        case CUDA_ERROR_INVALID_CONTEXT: *name = "CUDA_ERROR_INVALID_CONTEXT"; break;
        case CUDA_ERROR_INVALID_PTX: *name = "CUDA_ERROR_INVALID_PTX"; break;
        case CUDA_ERROR_UNSUPPORTED_PTX_VERSION: *name = "CUDA_ERROR_UNSUPPORTED_PTX_VERSION"; break;
        case CUDA_ERROR_INVALID_HANDLE: *name = "CUDA_ERROR_INVALID_HANDLE"; break;
        case CUDA_ERROR_NOT_FOUND: *name = "CUDA_ERROR_NOT_FOUND"; break;
        case CUDA_ERROR_ILLEGAL_ADDRESS: *name = "CUDA_ERROR_ILLEGAL_ADDRESS"; break;
        case CUDA_ERROR_LAUNCH_FAILED: *name = "CUDA_ERROR_LAUNCH_FAILED"; break;
        case CUDA_ERROR_NOT_SUPPORTED: *name = "CUDA_ERROR_NOT_SUPPORTED"; break;
        default: *name = nullptr; return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

API CUresult cuGetErrorString(CUresult error, const char** text) {
    return cuGetErrorName(error, text);
}
