// The block scheduler of the emulator: the threads of a block are cooperative fibers on one OS thread (a hand-written
// x86-64 context switch; ucontext elsewhere), blocks are spread over a small pool of OS threads. Barriers and warp
// exchanges switch fibers; nothing preempts, so a kernel that never reaches a barrier runs each thread to completion
// in turn, which is one legal CUDA schedule.
#include "emu_runtime.h"

#include <sys/mman.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

namespace emu {
namespace {

constexpr int kMaxThreadsPerBlock = 1024;
constexpr unsigned int kMaxDynamicSmemOptIn = 227u * 1024u;  // sm_90's opt-in limit

int env_int(const char* name, int fallback) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return fallback;
    int parsed = std::atoi(v);
    return parsed > 0 ? parsed : fallback;
}

struct Settings {
    std::atomic<int> threads{1};       // OS threads that run blocks (the caller included)
    std::atomic<bool> reverse{false};  // run a block's threads last to first: exposes a missing __syncthreads
    std::atomic<bool> poison_smem{true};
    size_t stack_bytes = 64 * 1024;

    Settings() {
        unsigned hw = std::thread::hardware_concurrency();
        threads = env_int("EMU_THREADS", hw == 0 ? 1 : static_cast<int>(hw));
        reverse = env_int("EMU_ORDER_REVERSE", 0) != 0;
        const char* poison = std::getenv("EMU_POISON_SMEM");
        poison_smem = poison == nullptr || std::strcmp(poison, "0") != 0;
        stack_bytes = static_cast<size_t>(env_int("EMU_STACK_KB", 64)) * 1024;
    }
};

Settings& settings() {
    static Settings* s = new Settings();  // never destroyed: pool threads may read it while the process exits
    return *s;
}

thread_local std::string tl_error;

// ---- context switch ----
#if defined(__x86_64__)
// Saves the callee-saved registers and the stack pointer of the running context into *save, loads `load`'s and
// returns into it. No signal mask and no FP environment: that is what makes it ~20x cheaper than swapcontext.
extern "C" void emu_switch_context(void** save, void* load);
asm(R"(
    .text
    .p2align 4
    .type emu_switch_context,@function
emu_switch_context:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch_context,.-emu_switch_context
)");
#endif

enum class FiberState : uint8_t { Ready, Waiting, Done };

struct Fiber {
#if defined(__x86_64__)
    void* sp = nullptr;
#else
    ucontext_t ctx;
#endif
    const uint32_t* wait_on = nullptr;  // runnable again once *wait_on != wait_old
    uint32_t wait_old = 0;
    FiberState state = FiberState::Done;
    uint32_t released = 0;  // bumped when a warp exchange this lane waits in completes
    uint3 tid{};
    // warp exchange: what this lane offered, and what it received
    uint64_t offer = 0;
    int source = 0;
    unsigned int mask = 0;
    WarpResult result{};
    char* stack = nullptr;
};

struct Warp {
    unsigned int live = 0;     // lanes that exist and have not returned
    unsigned int arrived = 0;  // lanes waiting in an exchange
};

struct Worker {
    std::vector<Fiber> fibers = std::vector<Fiber>(kMaxThreadsPerBlock);
    Warp warps[kMaxThreadsPerBlock / 32];
#if defined(__x86_64__)
    void* scheduler_sp = nullptr;
#else
    ucontext_t scheduler_ctx;
#endif
    int current = 0;
    int threads = 0;
    int live = 0;
    uint32_t barrier_generation = 0;
    int barrier_arrived = 0;
    int barrier_count = 0;
    int barrier_result = 0;
    bool deadlock = false;
    bool reverse = false;
    void (*body)(void*) = nullptr;
    void* args = nullptr;
    unsigned char* smem = nullptr;
    size_t smem_capacity = 0;
};

// One per OS thread and never freed: pool threads are parked forever (see Pool), and a Worker must outlive any fiber.
thread_local Worker* tl_worker = nullptr;

Worker& worker() {
    if (tl_worker == nullptr) tl_worker = new Worker();
    return *tl_worker;
}

[[noreturn]] void fiber_main();

char* allocate_stack(size_t bytes) {
    size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* base = mmap(nullptr, bytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    // A guard page below the stack turns an overflow into a clean SIGSEGV instead of silent corruption.
    mprotect(base, page, PROT_NONE);
    return static_cast<char*>(base) + page;
}

bool prepare_fiber(Worker& w, int index) {
    Fiber& f = w.fibers[index];
    size_t bytes = settings().stack_bytes;
    if (f.stack == nullptr) {
        f.stack = allocate_stack(bytes);
        if (f.stack == nullptr) return false;
    }
#if defined(__x86_64__)
    // Stagger the tops so that 1024 stacks do not alias in L1; leave rsp % 16 == 8 at fiber_main's entry.
    uintptr_t top = reinterpret_cast<uintptr_t>(f.stack + bytes) - 64u * static_cast<unsigned>(index % 64);
    top &= ~static_cast<uintptr_t>(15);
    void** sp = reinterpret_cast<void**>(top);
    *--sp = nullptr;                                       // fiber_main's return address: it never returns
    *--sp = reinterpret_cast<void*>(&fiber_main);          // where emu_switch_context's ret goes
    for (int r = 0; r < 6; r++) *--sp = nullptr;           // rbp rbx r12 r13 r14 r15
    f.sp = sp;
#else
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack;
    f.ctx.uc_stack.ss_size = bytes;
    f.ctx.uc_link = nullptr;
    makecontext(&f.ctx, reinterpret_cast<void (*)()>(&fiber_main), 0);
#endif
    return true;
}

void switch_fiber(Worker& w, int from, int to) {
    w.current = to;
    threadIdx = w.fibers[to].tid;
#if defined(__x86_64__)
    emu_switch_context(&w.fibers[from].sp, w.fibers[to].sp);
#else
    swapcontext(&w.fibers[from].ctx, &w.fibers[to].ctx);
#endif
}

[[noreturn]] void back_to_scheduler(Worker& w) {
    Fiber& me = w.fibers[w.current];
#if defined(__x86_64__)
    emu_switch_context(&me.sp, w.scheduler_sp);
#else
    swapcontext(&me.ctx, &w.scheduler_ctx);
#endif
    __builtin_unreachable();  // an abandoned or finished fiber is never resumed
}

// The next runnable fiber after the current one, round robin (backwards in reverse mode); -1 if none.
int pick_next(Worker& w) {
    int n = w.threads;
    for (int k = 1; k <= n; k++) {
        int i = w.reverse ? (w.current - k + n) % n : (w.current + k) % n;
        Fiber& f = w.fibers[i];
        if (f.state == FiberState::Ready) return i;
        if (f.state == FiberState::Waiting && *f.wait_on != f.wait_old) {
            f.state = FiberState::Ready;
            return i;
        }
    }
    return -1;
}

// Parks the current fiber until *on != old and runs others meanwhile. If no fiber can run, the block is deadlocked:
// on a GPU it would hang; here the block is abandoned and the launch fails with a message.
void wait_until_changed(Worker& w, const uint32_t* on, uint32_t old) {
    int me = w.current;
    Fiber& f = w.fibers[me];
    f.state = FiberState::Waiting;
    f.wait_on = on;
    f.wait_old = old;
    int next = pick_next(w);
    if (next < 0) {
        w.deadlock = true;
        back_to_scheduler(w);
    }
    if (next == me) return;  // pick_next found our own condition met
    switch_fiber(w, me, next);
}

void release_barrier(Worker& w) {
    w.barrier_result = w.barrier_count;
    w.barrier_count = 0;
    w.barrier_arrived = 0;
    w.barrier_generation++;
}

// Completes a warp exchange among `participants` (the lanes of `warp` that arrived): every participant gets its
// source lane's offer (its own when the source did not take part), the participant set and the ballot.
void release_warp(Worker& w, int warp, unsigned int participants) {
    Fiber* lanes = &w.fibers[warp * 32];
    unsigned int ballot = 0;
    for (unsigned int m = participants; m != 0; m &= m - 1) {
        int l = __builtin_ctz(m);
        if (lanes[l].offer != 0) ballot |= 1u << l;
    }
    for (unsigned int m = participants; m != 0; m &= m - 1) {
        int l = __builtin_ctz(m);
        Fiber& f = lanes[l];
        int s = f.source & 31;
        f.result.value = (participants >> s) & 1u ? lanes[s].offer : f.offer;
        f.result.active = participants;
        f.result.ballot = ballot;
        f.released++;
    }
    w.warps[warp].arrived &= ~participants;
}

// An exchange completes when every lane of its mask that is still live has arrived (returned lanes count as arrived).
void try_release_warp(Worker& w, int warp, unsigned int mask) {
    Warp& wp = w.warps[warp];
    unsigned int need = mask & wp.live;
    if (need != 0 && (wp.arrived & need) == need) release_warp(w, warp, need);
}

[[noreturn]] void fiber_exit(Worker& w) {
    int me = w.current;
    w.fibers[me].state = FiberState::Done;
    w.live--;
    int warp = me >> 5;
    Warp& wp = w.warps[warp];
    wp.live &= ~(1u << (me & 31));
    if (w.barrier_arrived > 0 && w.barrier_arrived >= w.live) release_barrier(w);
    if (wp.arrived != 0) try_release_warp(w, warp, w.fibers[warp * 32 + __builtin_ctz(wp.arrived)].mask);
    if (w.live == 0) back_to_scheduler(w);
    int next = pick_next(w);
    if (next < 0) {
        w.deadlock = true;
        back_to_scheduler(w);
    }
    w.current = next;
    threadIdx = w.fibers[next].tid;
#if defined(__x86_64__)
    void* discard;
    emu_switch_context(&discard, w.fibers[next].sp);
#else
    ucontext_t discard;
    swapcontext(&discard, &w.fibers[next].ctx);
#endif
    __builtin_unreachable();
}

[[noreturn]] void fiber_main() {
    Worker& w = worker();
    w.body(w.args);
    fiber_exit(w);
}

// Runs one block to completion on this OS thread; false (with tl_error set) on deadlock.
bool run_block(Worker& w, uint3 block_index, uint3 block, unsigned int dyn_smem) {
    int n = static_cast<int>(block.x * block.y * block.z);
    blockIdx = block_index;
    blockDim = block;
    w.threads = n;
    w.live = n;
    w.barrier_generation = 0;
    w.barrier_arrived = w.barrier_count = w.barrier_result = 0;
    w.deadlock = false;
    w.reverse = settings().reverse.load(std::memory_order_relaxed);
    for (int warp = 0; warp * 32 < n; warp++) {
        int lanes = std::min(32, n - warp * 32);
        w.warps[warp].live = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1u;
        w.warps[warp].arrived = 0;
    }
    for (int i = 0; i < n; i++) {
        Fiber& f = w.fibers[i];
        if (!prepare_fiber(w, i)) {
            tl_error = "cannot map a fiber stack (" + std::to_string(settings().stack_bytes) + " bytes)";
            return false;
        }
        f.state = FiberState::Ready;
        f.released = 0;
        f.tid = uint3{static_cast<unsigned>(i) % block.x, (static_cast<unsigned>(i) / block.x) % block.y,
                      static_cast<unsigned>(i) / (block.x * block.y)};
    }
    if (dyn_smem > 0 && settings().poison_smem.load(std::memory_order_relaxed)) {
        std::memset(w.smem, 0xff, dyn_smem);  // NaN everywhere: a read before any write shows up in the results
    }
    int first = w.reverse ? n - 1 : 0;
    w.current = first;
    threadIdx = w.fibers[first].tid;
#if defined(__x86_64__)
    emu_switch_context(&w.scheduler_sp, w.fibers[first].sp);
#else
    swapcontext(&w.scheduler_ctx, &w.fibers[first].ctx);
#endif
    if (w.deadlock) {
        tl_error = "deadlock in block (" + std::to_string(block_index.x) + "," + std::to_string(block_index.y) + ","
                   + std::to_string(block_index.z) + "): " + std::to_string(w.live)
                   + " live threads wait at a barrier or warp exchange that not every live thread reaches";
        return false;
    }
    return true;
}

// ---- the grid: a pool of helper threads plus the caller, handing out blocks from an atomic counter ----
struct Grid {
    const KernelEntry* entry = nullptr;
    uint3 grid{}, block{};
    unsigned int dyn_smem = 0;
    void (*body)(void*) = nullptr;
    void* args = nullptr;
    uint64_t total = 0;
    std::atomic<uint64_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::string error;
};

bool ensure_smem(Worker& w, unsigned int bytes) {
    if (bytes <= w.smem_capacity) return true;
    std::free(w.smem);
    size_t rounded = (static_cast<size_t>(bytes) + 255) & ~static_cast<size_t>(255);
    w.smem = static_cast<unsigned char*>(std::aligned_alloc(256, rounded));
    w.smem_capacity = w.smem == nullptr ? 0 : rounded;
    return w.smem != nullptr;
}

void run_blocks(Grid& g) {
    Worker& w = worker();
    gridDim = g.grid;
    w.body = g.body;
    w.args = g.args;
    if (!ensure_smem(w, g.dyn_smem)) {
        std::lock_guard<std::mutex> lock(g.error_mutex);
        g.failed = true;
        g.error = "cannot allocate " + std::to_string(g.dyn_smem) + " bytes of dynamic shared memory";
        return;
    }
    for (;;) {
        if (g.failed.load(std::memory_order_relaxed)) return;
        uint64_t b = g.next.fetch_add(1);
        if (b >= g.total) return;
        uint3 index{static_cast<unsigned>(b % g.grid.x), static_cast<unsigned>((b / g.grid.x) % g.grid.y),
                    static_cast<unsigned>(b / (static_cast<uint64_t>(g.grid.x) * g.grid.y))};
        if (!run_block(w, index, g.block, g.dyn_smem)) {
            std::lock_guard<std::mutex> lock(g.error_mutex);
            if (!g.failed.exchange(true)) g.error = tl_error;
            return;
        }
    }
}

// Helper threads are detached and parked on a condition variable for the life of the process, and the pool is never
// destroyed: no static destructor may join threads or destroy a condition variable in use while the JVM exits.
class Pool {
public:
    void run(Grid& g, int helpers_wanted) {
        std::unique_lock<std::mutex> lock(mutex_);
        while (static_cast<int>(helpers_) < helpers_wanted) {
            std::thread(&Pool::helper_loop, this, helpers_++).detach();
        }
        grid_ = &g;
        participants_ = helpers_wanted;
        busy_ = helpers_wanted;
        epoch_++;
        lock.unlock();
        start_.notify_all();
        run_blocks(g);
        lock.lock();
        done_.wait(lock, [this] { return busy_ == 0; });
        grid_ = nullptr;
    }

private:
    void helper_loop(int index) {
        uint64_t seen = 0;
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            start_.wait(lock, [&] { return epoch_ != seen; });
            seen = epoch_;
            if (index >= participants_) continue;
            Grid* g = grid_;
            lock.unlock();
            run_blocks(*g);
            lock.lock();
            if (--busy_ == 0) done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable start_, done_;
    Grid* grid_ = nullptr;
    uint64_t epoch_ = 0;
    int participants_ = 0;
    int busy_ = 0;
    unsigned helpers_ = 0;
};

Pool& pool() {
    static Pool* p = new Pool();
    return *p;
}

std::mutex& launch_mutex() {
    static std::mutex* m = new std::mutex();
    return *m;
}

}  // namespace

// ---- hooks called from kernels ----
void syncthreads() { syncthreads_count(0); }

int syncthreads_count(int predicate) {
    Worker& w = worker();
    uint32_t generation = w.barrier_generation;
    w.barrier_count += predicate;
    if (++w.barrier_arrived >= w.live) {
        release_barrier(w);
        return w.barrier_result;
    }
    wait_until_changed(w, &w.barrier_generation, generation);
    return w.barrier_result;  // not overwritten before every thread has arrived at the next barrier
}

WarpResult warp_exchange(unsigned int mask, uint64_t bits, int src_lane) {
    Worker& w = worker();
    int me = w.current, warp = me >> 5, lane = me & 31;
    Fiber& f = w.fibers[me];
    f.offer = bits;
    f.source = src_lane;
    f.mask = mask | (1u << lane);
    w.warps[warp].arrived |= 1u << lane;
    // The participants are fixed when the exchange completes, not when each lane resumes: by then lanes released
    // together may already have returned.
    try_release_warp(w, warp, f.mask);
    if (w.warps[warp].arrived & (1u << lane)) wait_until_changed(w, &f.released, f.released);
    return f.result;
}

unsigned int active_mask() {
    Worker& w = worker();
    return w.warps[w.current >> 5].live;
}

void* dynamic_smem() { return worker().smem; }

const std::string& last_error() { return tl_error; }
void set_error(std::string message) { tl_error = std::move(message); }

void configure(int threads, int reverse) {
    if (threads > 0) settings().threads = threads;
    if (reverse >= 0) settings().reverse = reverse != 0;
}

int configured_threads() { return settings().threads.load(); }

// ---- registry ----
std::vector<KernelEntry*>& registry() {
    static std::vector<KernelEntry*>* r = new std::vector<KernelEntry*>();  // a function-local static: registrars run at dlopen
    return *r;
}

void register_kernel(KernelEntry* entry) { registry().push_back(entry); }

KernelEntry* find_kernel(const char* name) {
    for (KernelEntry* e : registry()) {
        if (std::strcmp(e->name, name) == 0) return e;
    }
    return nullptr;
}

int run_grid(const KernelEntry& entry, uint3 grid, uint3 block, unsigned int dyn_smem, void (*body)(void*), void* args) {
    uint64_t threads = static_cast<uint64_t>(block.x) * block.y * block.z;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || threads == 0 || threads > kMaxThreadsPerBlock || block.z > 64
        || grid.y > 65535 || grid.z > 65535) {
        set_error(std::string(entry.name) + ": invalid launch configuration grid (" + std::to_string(grid.x) + ","
                  + std::to_string(grid.y) + "," + std::to_string(grid.z) + ") block (" + std::to_string(block.x)
                  + "," + std::to_string(block.y) + "," + std::to_string(block.z) + ")");
        return 1;  // CUDA_ERROR_INVALID_VALUE
    }
    if (dyn_smem > entry.max_dynamic_smem) {
        set_error(std::string(entry.name) + ": " + std::to_string(dyn_smem) + " bytes of dynamic shared memory exceed the "
                  + std::to_string(entry.max_dynamic_smem) + " allowed (cuFuncSetAttribute raises it)");
        return 1;
    }
    std::lock_guard<std::mutex> serial(launch_mutex());  // launches are synchronous and one at a time
    Grid g;
    g.entry = &entry;
    g.grid = grid;
    g.block = block;
    g.dyn_smem = dyn_smem;
    g.body = body;
    g.args = args;
    g.total = static_cast<uint64_t>(grid.x) * grid.y * grid.z;
    uint64_t helpers = std::min<uint64_t>(static_cast<uint64_t>(std::max(1, settings().threads.load())) - 1, g.total - 1);
    if (helpers == 0) {
        run_blocks(g);
    } else {
        pool().run(g, static_cast<int>(helpers));
    }
    if (g.failed) {
        set_error(std::string(entry.name) + ": " + g.error);
        return 719;  // CUDA_ERROR_LAUNCH_FAILED
    }
    return 0;
}

int set_max_dynamic_smem(KernelEntry& entry, int bytes) {
    if (bytes < 0 || static_cast<unsigned>(bytes) > kMaxDynamicSmemOptIn) return 1;
    entry.max_dynamic_smem = static_cast<unsigned>(bytes);
    return 0;
}

}  // namespace emu
