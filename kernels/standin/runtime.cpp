// Runs a launch on the CPU with a real device's execution model where it matters for finding bugs:
// blocks in parallel on all cores (races between blocks are races here too), the threads of a block as
// fibers on one worker that switch only at __syncthreads (a missing barrier reads stale shared memory),
// a barrier not reached by every thread of the block is an error, and a fault (a stray pointer, a write
// into the no-access page after an allocation, __trap) ends the launch with the driver's error code
// instead of the process. CIMTRAIN_STANDIN_ORDER=reverse|shuffle runs blocks, and the threads between
// two barriers, in reverse or shuffled order, so results that depend on scheduling show up.
#include "runtime.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xmmintrin.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>

extern "C" void cimsim_switch(void** save_sp, void* resume_sp);
extern "C" void cimsim_fiber_start();

namespace cimsim {

thread_local Coords coords;
[[noreturn]] void fiberMain(void* fiber);

namespace {

constexpr int CUDA_ERROR_ILLEGAL_ADDRESS = 700;
constexpr int CUDA_ERROR_LAUNCH_FAILED = 719;
constexpr size_t FIBER_STACK = 64 * 1024;
constexpr size_t ALT_STACK = 64 * 1024;

enum class State : uint8_t { Ready, Waiting, Done };

struct Fiber {
    void* sp = nullptr;
    char* stack = nullptr;  // FIBER_STACK bytes above a no-access page
    State state = State::Ready;
    Dim3 tid{};
};

/** One worker thread's state: its fibers and where a fault jumps back to. */
struct Worker {
    std::vector<Fiber> fibers;
    void* schedulerSp = nullptr;
    int current = -1;
    const Launch* launch = nullptr;
    bool fiberMode = false;
    sigjmp_buf onFault;
    volatile bool inKernel = false;
    Fault fault;
    std::mt19937_64 rng;
};

thread_local Worker* self = nullptr;

Order readOrder() {
    const char* v = getenv("CIMTRAIN_STANDIN_ORDER");
    if (v == nullptr || *v == 0 || strcmp(v, "forward") == 0) return Order::Forward;
    if (strcmp(v, "reverse") == 0) return Order::Reverse;
    if (strcmp(v, "shuffle") == 0) return Order::Shuffle;
    fprintf(stderr, "cimtrain CPU stand-in: CIMTRAIN_STANDIN_ORDER=%s is not forward, reverse or shuffle; "
                    "using forward\n", v);
    return Order::Forward;
}

int readWorkers() {
    const char* v = getenv("CIMTRAIN_STANDIN_THREADS");
    int n = v != nullptr ? atoi(v) : 0;
    if (n <= 0) n = (int) std::max(1L, sysconf(_SC_NPROCESSORS_ONLN));
    return std::min(n, 256);
}

const Order ORDER = readOrder();

[[noreturn]] void fail(int status, std::string message) {
    Worker* w = self;
    w->fault.status = status;
    w->fault.message = std::move(message);
    siglongjmp(w->onFault, 1);
}

// ---- faults: SIGSEGV, SIGBUS and SIGFPE of a kernel end its launch; any other goes to whoever had it ----

struct sigaction previous[65];

void onSignal(int sig, siginfo_t* info, void* context) {
    Worker* w = self;
    if (w != nullptr && w->inKernel) {
        char what[160];
        snprintf(what, sizeof what, "%s at address %p", sig == SIGFPE ? "arithmetic exception (integer division by 0?)"
                                                        : sig == SIGBUS ? "bus error" : "invalid memory access",
                 info->si_addr);
        fail(sig == SIGFPE ? CUDA_ERROR_LAUNCH_FAILED : CUDA_ERROR_ILLEGAL_ADDRESS, what);
    }
    // not a kernel's: chain to the handler before ours (the JVM's, which uses SIGSEGV itself)
    const struct sigaction& p = previous[sig];
    if (p.sa_flags & SA_SIGINFO) {
        if (p.sa_sigaction != nullptr) {
            p.sa_sigaction(sig, info, context);
            return;
        }
    } else if (p.sa_handler != SIG_DFL && p.sa_handler != SIG_IGN) {
        p.sa_handler(sig);
        return;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

void installHandlers() {
    static std::once_flag once;
    std::call_once(once, [] {
        for (int sig : {SIGSEGV, SIGBUS, SIGFPE}) {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_sigaction = onSignal;
            sigemptyset(&sa.sa_mask);
            sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
            sigaction(sig, &sa, &previous[sig]);
        }
    });
}

// ---- fibers ----

char* mapStack(size_t size) {
    size_t page = (size_t) sysconf(_SC_PAGESIZE);
    void* m = mmap(nullptr, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        perror("cimtrain CPU stand-in: mmap of a stack");
        abort();
    }
    mprotect(m, page, PROT_NONE);  // a stack that overflows faults instead of writing into another
    return (char*) m + page;
}

void startFiber(Fiber& f) {
    if (f.stack == nullptr) f.stack = mapStack(FIBER_STACK);
    uintptr_t top = ((uintptr_t) f.stack + FIBER_STACK) & ~(uintptr_t) 15;
    uint64_t* sp = (uint64_t*) (top - 80);  // sp + 64 (after the return) is 16-byte aligned
    uint32_t csr = _mm_getcsr();
    uint16_t cw;
    __asm__ volatile("fnstcw %0" : "=m"(cw));
    memcpy(sp, &csr, 4);
    memcpy((char*) sp + 4, &cw, 2);
    sp[1] = 0;                              // r15
    sp[2] = 0;                              // r14
    sp[3] = 0;                              // r13
    sp[4] = (uint64_t) (uintptr_t) &f;      // r12: the fiber, for cimsim_fiber_start
    sp[5] = 0;                              // rbx
    sp[6] = 0;                              // rbp
    sp[7] = (uint64_t) (uintptr_t) &cimsim_fiber_start;
    f.sp = sp;
    f.state = State::Ready;
}

void runThread() {
    const Launch* l = self->launch;
    l->entry->invoke(l->entry->fn, l->args);
}

std::vector<int> permutation(int n, std::mt19937_64& rng) {
    std::vector<int> p(n);
    for (int i = 0; i < n; i++) p[i] = ORDER == Order::Reverse ? n - 1 - i : i;
    if (ORDER == Order::Shuffle) std::shuffle(p.begin(), p.end(), rng);
    return p;
}

Dim3 threadAt(int i, Dim3 block) {
    return Dim3{(unsigned) i % block.x, ((unsigned) i / block.x) % block.y, (unsigned) i / (block.x * block.y)};
}

void runBlock(Worker& w, const Launch& l) {
    int n = (int) (l.block.x * l.block.y * l.block.z);
    if (!l.barriers) {
        // no barrier in the kernel: each thread runs to its end on the worker's own stack
        w.fiberMode = false;
        for (int i : permutation(n, w.rng)) {
            coords.threadIdx = threadAt(i, l.block);
            runThread();
        }
        return;
    }
    w.fiberMode = true;
    if ((int) w.fibers.size() < n) w.fibers.resize(n);
    for (int i = 0; i < n; i++) {
        startFiber(w.fibers[i]);
        w.fibers[i].tid = threadAt(i, l.block);
    }
    for (;;) {
        for (int i : permutation(n, w.rng)) {
            Fiber& f = w.fibers[i];
            if (f.state != State::Ready) continue;
            w.current = i;
            coords.threadIdx = f.tid;
            cimsim_switch(&w.schedulerSp, f.sp);
        }
        int done = 0, waiting = 0;
        for (int i = 0; i < n; i++) {
            done += w.fibers[i].state == State::Done;
            waiting += w.fibers[i].state == State::Waiting;
        }
        if (done == n) return;
        if (done > 0) {
            char what[200];
            snprintf(what, sizeof what, "__syncthreads reached by %d of the block's %d threads (the other %d had "
                     "returned): a barrier in divergent code", waiting, n, done);
            fail(CUDA_ERROR_LAUNCH_FAILED, what);
        }
        for (int i = 0; i < n; i++) w.fibers[i].state = State::Ready;
    }
}

// ---- the worker pool ----

}  // namespace

[[noreturn]] void fiberMain(void* fiber) {
    runThread();
    static_cast<Fiber*>(fiber)->state = State::Done;
    void* dead;
    cimsim_switch(&dead, self->schedulerSp);
    __builtin_unreachable();
}

namespace {

struct Job {
    const Launch* launch = nullptr;
    std::vector<long long> blocks;  // the order blocks are taken in (empty: 0, 1, 2, ... in order)
    long long total = 0;
    std::atomic<long long> next{0};
    std::atomic<int> running{0};
    std::atomic<bool> failed{false};
    Fault fault;
    std::mutex faultLock;
};

class Pool {
public:
    Pool() : count_(readWorkers()) {
        for (int i = 0; i < count_; i++) {
            threads_.emplace_back([this, i] { loop(i); });
            threads_.back().detach();
        }
    }

    int count() const { return count_; }

    Fault run(const Launch& l) {
        std::lock_guard<std::mutex> serial(launchLock_);
        Job job;
        job.launch = &l;
        job.total = (long long) l.grid.x * l.grid.y * l.grid.z;
        if (ORDER != Order::Forward) {
            job.blocks.resize(job.total);
            for (long long i = 0; i < job.total; i++) job.blocks[i] = ORDER == Order::Reverse ? job.total - 1 - i : i;
            if (ORDER == Order::Shuffle) std::shuffle(job.blocks.begin(), job.blocks.end(), rng_);
        }
        {
            std::lock_guard<std::mutex> g(lock_);
            job_ = &job;
            generation_++;
            pending_ = count_;
        }
        wake_.notify_all();
        std::unique_lock<std::mutex> g(lock_);
        finished_.wait(g, [this] { return pending_ == 0; });
        job_ = nullptr;
        return job.fault;
    }

private:
    void loop(int index) {
        Worker w;
        w.rng.seed(0x5eed0000u + (unsigned) index);
        self = &w;
        stack_t alt;
        alt.ss_sp = mapStack(ALT_STACK);
        alt.ss_size = ALT_STACK;
        alt.ss_flags = 0;
        sigaltstack(&alt, nullptr);  // a fault on an overflowed fiber stack still has a stack to run on
        long long seen = 0;
        for (;;) {
            Job* job;
            {
                std::unique_lock<std::mutex> g(lock_);
                wake_.wait(g, [&] { return generation_ != seen; });
                seen = generation_;
                job = job_;
            }
            work(w, *job);
            std::lock_guard<std::mutex> g(lock_);
            if (--pending_ == 0) finished_.notify_all();
        }
    }

    static void work(Worker& w, Job& job) {
        const Launch& l = *job.launch;
        w.launch = &l;
        coords.blockDim = l.block;
        coords.gridDim = l.grid;
        if (sigsetjmp(w.onFault, 1) != 0) {
            w.inKernel = false;
            if (!job.failed.exchange(true)) {
                std::lock_guard<std::mutex> g(job.faultLock);
                job.fault = w.fault;
            }
            return;
        }
        for (;;) {
            if (job.failed.load(std::memory_order_relaxed)) return;
            long long b = job.next.fetch_add(1);
            if (b >= job.total) return;
            long long linear = job.blocks.empty() ? b : job.blocks[b];
            coords.blockIdx = Dim3{(unsigned) (linear % l.grid.x), (unsigned) ((linear / l.grid.x) % l.grid.y),
                                   (unsigned) (linear / ((long long) l.grid.x * l.grid.y))};
            w.inKernel = true;
            runBlock(w, l);
            w.inKernel = false;
        }
    }

    const int count_;
    std::vector<std::thread> threads_;
    std::mutex launchLock_, lock_;
    std::condition_variable wake_, finished_;
    Job* job_ = nullptr;
    long long generation_ = 0;
    int pending_ = 0;
    std::mt19937_64 rng_{0x5eedULL};
};

Pool& pool() {
    static Pool* p = [] {
        installHandlers();
        return new Pool();  // never destroyed: its threads outlive static destruction at exit
    }();
    return *p;
}

}  // namespace

void syncthreads() {
    Worker* w = self;
    if (w == nullptr || !w->inKernel) {
        fprintf(stderr, "cimtrain CPU stand-in: __syncthreads outside a kernel\n");
        abort();
    }
    if (!w->fiberMode) {
        fail(CUDA_ERROR_LAUNCH_FAILED, "__syncthreads in a kernel whose PTX has no barrier: the PTX and the "
                                       "host build of the kernels differ");
    }
    Fiber& f = w->fibers[w->current];
    f.state = State::Waiting;
    cimsim_switch(&f.sp, w->schedulerSp);
}

void trap(const char* what, const char* file, int line) {
    Worker* w = self;
    if (w == nullptr || !w->inKernel) {
        fprintf(stderr, "cimtrain CPU stand-in: %s outside a kernel (%s:%d)\n", what, file, line);
        abort();
    }
    char message[300];
    snprintf(message, sizeof message, "%s at %s:%d", what, file, line);
    fail(CUDA_ERROR_LAUNCH_FAILED, message);
}

Fault run(const Launch& launch) {
    return pool().run(launch);
}

int workerCount() {
    return pool().count();
}

Order order() {
    return ORDER;
}

}  // namespace cimsim

// a new fiber's first frame (cimsim_fiber_start) calls this with the fiber: run the thread, then leave
extern "C" __attribute__((visibility("hidden"), noreturn)) void cimsim_fiber_main(void* fiber);

extern "C" void cimsim_fiber_main(void* fiber) {
    cimsim::fiberMain(fiber);
}
