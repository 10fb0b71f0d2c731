// Verilator driver for any top module with the SPEC section 6 ports.
//
// Built by `sievingnet::engine::verilog` (src/engine/verilog.rs) as
//   verilator --cc --build --exe --prefix Vsieve_dot --top-module NAME \
//       FILE.v sim/verilator_main.cpp
// so the model class is always `Vsieve_dot` whatever the top is called.
//
// Usage:
//   Vsieve_dot --in PAIRS.bin --out RESULTS.bin --a-bits A --w-bits W
//       --t-bits T --acc-bits ACC --cnt-bits CNT [--gap-prob P] [--seed S]
//       [--max-wait CYCLES] [--tail CYCLES] [--coverage COVERAGE.dat] [--vcd TRACE.vcd]
//
// PAIRS.bin: the header "SNVP0001" then 8-byte little-endian records
//   int16 a, int16 w, int8 thr, uint8 flags, uint16 reserved,
//   flags bit 0 = last, bit 1 = reset before this pair.
// RESULTS.bin: the header "SNVR0002" then 64-byte records of eight
//   little-endian uint64 words [tag, cycle, sum, overflow, zero_a, zero_w,
//   sieved, kept]: tag 0 is a result (one per out_valid cycle; sum
//   sign-extended from acc_bits), tag 1 a consumed pair with last (the
//   other words zero). Cycles count rising edges after the initial reset:
//   a pair consumed at edge c and a result whose out_valid is high after
//   edge r are `r - c` edges apart, the design's latency.
// The last line on stdout is a summary:
//   "sim cycles=C pairs=P results=R resets=N seconds=S cpu_seconds=U"
// (wall-clock and processor seconds of the clock loop).
//
// Driving rules (SPEC section 6):
// * a pair is consumed at a rising edge where reset is low and
//   in_valid && in_ready; the driver holds a pair until it is consumed;
// * before each pair it inserts idle cycles, each with probability
//   --gap-prob (0 = back to back), from a seeded xorshift generator;
// * outputs are sampled just before each rising edge;
// * the run starts with 4 reset cycles (register state randomized first);
//   a pair flagged "reset before" makes the driver wait until every vector
//   it has finished has come out, then hold reset for 1 to 3 cycles with
//   in_valid high and random data (nothing may be consumed), which drops the
//   partial vector in flight;
// * after the last pair it waits for the outstanding results (at most
//   --max-wait cycles), then runs --tail more cycles to catch extra results.
// --coverage (only in a build with Verilator's --coverage-toggle, see
// src/power): after the initial reset one idle cycle with every input at
// zero, then the toggle counters are zeroed, and written to COVERAGE.dat at
// the end, so they count the stream alone.
// --vcd (only in a build with --trace): a VCD of the same window, its first
// dump the state at the moment the counters were zeroed, then one dump
// after every evaluation (the tests count toggles from it by hand).
// Exit status: 0 ok, 2 bad usage or file, 3 timeout waiting for results.

#include "Vsieve_dot.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

struct Args {
    const char* in = nullptr;
    const char* out = nullptr;
    int a_bits = 0, w_bits = 0, t_bits = 0, acc_bits = 0, cnt_bits = 0;
    double gap_prob = 0.0;
    uint64_t seed = 1;
    uint64_t max_wait = 100000;
    uint64_t tail = 64;
    const char* coverage = nullptr;
    const char* vcd = nullptr;
};

[[noreturn]] void die(const char* what, const char* detail) {
    std::fprintf(stderr, "error: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    std::exit(2);
}

uint64_t mask(int bits) { return bits >= 64 ? ~0ull : ((1ull << bits) - 1); }

int64_t sext(uint64_t v, int bits) {
    if (bits >= 64) return (int64_t)v;
    uint64_t m = 1ull << (bits - 1);
    v &= mask(bits);
    return (int64_t)((v ^ m) - m);
}

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull) {
        if (s == 0) s = 1;
    }
    uint64_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return s * 0x2545F4914F6CDD1Dull;
    }
};

struct Record {
    int16_t a;
    int16_t w;
    int8_t thr;
    uint8_t flags;
    uint16_t reserved;
};
static_assert(sizeof(Record) == 8, "record layout");

class Reader {
  public:
    explicit Reader(const char* path) {
        f_ = std::fopen(path, "rb");
        if (!f_) die("cannot open the pairs file", path);
        char magic[8];
        if (std::fread(magic, 1, 8, f_) != 8 || std::memcmp(magic, "SNVP0001", 8) != 0)
            die("not a pairs file (missing header SNVP0001)", path);
        buf_.resize(1 << 16);
    }
    ~Reader() { std::fclose(f_); }
    // Returns nullptr at the end of the file.
    const Record* next() {
        if (pos_ == len_) {
            len_ = std::fread(buf_.data(), sizeof(Record), buf_.size(), f_);
            pos_ = 0;
            if (len_ == 0) return nullptr;
        }
        return &buf_[pos_++];
    }

  private:
    std::FILE* f_;
    std::vector<Record> buf_;
    size_t pos_ = 0, len_ = 0;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        if (k.rfind("+verilator", 0) == 0) continue;
        if (i + 1 >= argc) die("missing value after", argv[i]);
        const char* v = argv[++i];
        if (k == "--in") a.in = v;
        else if (k == "--out") a.out = v;
        else if (k == "--a-bits") a.a_bits = std::atoi(v);
        else if (k == "--w-bits") a.w_bits = std::atoi(v);
        else if (k == "--t-bits") a.t_bits = std::atoi(v);
        else if (k == "--acc-bits") a.acc_bits = std::atoi(v);
        else if (k == "--cnt-bits") a.cnt_bits = std::atoi(v);
        else if (k == "--gap-prob") a.gap_prob = std::atof(v);
        else if (k == "--seed") a.seed = std::strtoull(v, nullptr, 10);
        else if (k == "--max-wait") a.max_wait = std::strtoull(v, nullptr, 10);
        else if (k == "--tail") a.tail = std::strtoull(v, nullptr, 10);
        else if (k == "--coverage") a.coverage = v;
        else if (k == "--vcd") a.vcd = v;
        else die("unknown argument", argv[i - 1]);
    }
    if (!a.in || !a.out) die("usage", "--in PAIRS.bin --out RESULTS.bin and the five widths are required");
    if (a.a_bits < 1 || a.a_bits > 16 || a.w_bits < 1 || a.w_bits > 16 || a.t_bits < 1 || a.t_bits > 8 ||
        a.acc_bits < 1 || a.acc_bits > 64 || a.cnt_bits < 1 || a.cnt_bits > 64)
        die("a width is missing or out of range", nullptr);
    if (a.gap_prob < 0.0 || a.gap_prob >= 1.0) die("--gap-prob must be in [0, 1)", nullptr);
#if !VM_COVERAGE
    if (a.coverage) die("--coverage needs a build with --coverage-toggle", a.coverage);
#endif
#if !VM_TRACE
    if (a.vcd) die("--vcd needs a build with --trace", a.vcd);
#endif
    return a;
}

}  // namespace

int main(int argc, char** argv) {
    Args args = parse(argc, argv);

    auto ctx = std::make_unique<VerilatedContext>();
#if VM_TRACE
    if (args.vcd) ctx->traceEverOn(true);
    std::unique_ptr<VerilatedVcdC> vcd;
    uint64_t vcd_time = 0;
#endif
    ctx->randReset(2);  // random initial register state: reset must clear it
    ctx->randSeed((int)(args.seed & 0x7fffffff));
    auto top = std::make_unique<Vsieve_dot>(ctx.get(), "dut");

    Reader reader(args.in);
    std::FILE* out = std::fopen(args.out, "wb");
    if (!out) die("cannot create the results file", args.out);
    std::vector<char> obuf(1 << 20);
    std::setvbuf(out, obuf.data(), _IOFBF, obuf.size());
    std::fwrite("SNVR0002", 1, 8, out);

    Rng rng(args.seed);
    const uint64_t gap_threshold = (uint64_t)(args.gap_prob * 18446744073709551616.0);
    const uint64_t ma = mask(args.a_bits), mw = mask(args.w_bits), mt = mask(args.t_bits);

    uint64_t cycles = 0, consumed = 0, lasts = 0, results = 0, resets = 0;
    bool collect = false;  // false during the first reset: its outputs are stale state
    uint64_t edge0 = 0;    // edges of the initial reset, not counted in record cycles

    // One clock cycle with the inputs already set: settle, sample, rising edge.
    // Returns whether a pair was consumed.
    auto cycle = [&](bool reset) -> bool {
        top->clock = 0;
        top->reset = reset;
        top->eval();
#if VM_TRACE
        if (vcd) vcd->dump(vcd_time++);
#endif
        const bool fired = !reset && top->in_valid && top->in_ready;
        if (top->out_valid && collect) {
            // High now, so after the previous edge.
            uint64_t rec[8];
            rec[0] = 0;
            rec[1] = cycles - 1 - edge0;
            rec[2] = (uint64_t)sext((uint64_t)top->out_sum, args.acc_bits);
            rec[3] = top->out_overflow ? 1 : 0;
            rec[4] = (uint64_t)top->out_zero_a & mask(args.cnt_bits);
            rec[5] = (uint64_t)top->out_zero_w & mask(args.cnt_bits);
            rec[6] = (uint64_t)top->out_sieved & mask(args.cnt_bits);
            rec[7] = (uint64_t)top->out_kept & mask(args.cnt_bits);
            std::fwrite(rec, sizeof rec, 1, out);
            ++results;
        }
        if (fired && top->in_last) {
            // Consumed by the edge below.
            uint64_t rec[8] = {1, cycles - edge0, 0, 0, 0, 0, 0, 0};
            std::fwrite(rec, sizeof rec, 1, out);
        }
        top->clock = 1;
        top->eval();
#if VM_TRACE
        if (vcd) vcd->dump(vcd_time++);
#endif
        ++cycles;
        return fired;
    };
    auto random_inputs = [&]() {
        uint64_t r = rng.next();
        top->in_valid = 1;
        top->in_a = r & ma;
        top->in_w = (r >> 16) & mw;
        top->in_thr = (r >> 32) & mt;
        top->in_last = (r >> 40) & 1;
    };
    // Waits until every finished vector has come out.
    auto drain = [&]() -> bool {
        top->in_valid = 0;
        uint64_t waited = 0;
        while (results < lasts) {
            if (waited++ >= args.max_wait) return false;
            cycle(false);
        }
        return true;
    };
    auto timeout = [&](const char* when) {
        std::fflush(out);
        std::fclose(out);
        std::fprintf(stderr,
                     "error: timeout %s: %llu vectors were consumed but only %llu results came out "
                     "within %llu cycles (is out_valid ever raised? is in_last handled?)\n",
                     when, (unsigned long long)lasts, (unsigned long long)results,
                     (unsigned long long)args.max_wait);
        std::exit(3);
    };

    // Initial reset: randomized state, random inputs, outputs ignored.
    for (int i = 0; i < 4; ++i) {
        random_inputs();
        cycle(true);
    }
    if (args.coverage || args.vcd) {
        // The count starts from idle inputs at zero, not from the reset's
        // random ones (their change would count as the stream's).
        top->in_valid = 0;
        top->in_a = 0;
        top->in_w = 0;
        top->in_thr = 0;
        top->in_last = 0;
        cycle(false);
    }
    collect = true;
    edge0 = cycles;
#if VM_COVERAGE
    ctx->coveragep()->zero();  // count the stream's toggles, not the reset's
#endif
#if VM_TRACE
    if (args.vcd) {
        vcd = std::make_unique<VerilatedVcdC>();
        top->trace(vcd.get(), 99);
        vcd->open(args.vcd);
        vcd->dump(vcd_time++);
    }
#endif

    auto t0 = std::chrono::steady_clock::now();
    std::clock_t c0 = std::clock();
    while (const Record* r = reader.next()) {
        if (r->flags & 2) {
            if (!drain()) timeout("before a reset in mid-vector");
            int n = 1 + (int)(rng.next() % 3);
            for (int i = 0; i < n; ++i) {
                random_inputs();
                cycle(true);
            }
            ++resets;
        }
        top->in_valid = 0;
        if (gap_threshold)
            while (rng.next() < gap_threshold) cycle(false);
        top->in_valid = 1;
        top->in_a = (uint64_t)(int64_t)r->a & ma;
        top->in_w = (uint64_t)(int64_t)r->w & mw;
        top->in_thr = (uint64_t)(int64_t)r->thr & mt;
        top->in_last = r->flags & 1;
        uint64_t stalled = 0;
        while (!cycle(false)) {
            if (stalled++ >= args.max_wait) {
                std::fprintf(stderr, "error: in_ready stayed low for %llu cycles after pair %llu\n",
                             (unsigned long long)args.max_wait, (unsigned long long)consumed);
                std::exit(3);
            }
        }
        ++consumed;
        if (r->flags & 1) ++lasts;
    }
    if (!drain()) timeout("after the last pair");
    for (uint64_t i = 0; i < args.tail; ++i) cycle(false);
    auto t1 = std::chrono::steady_clock::now();
    std::clock_t c1 = std::clock();
    top->final();
#if VM_TRACE
    if (vcd) vcd->close();
#endif
#if VM_COVERAGE
    if (args.coverage) ctx->coveragep()->write(args.coverage);
#endif

    if (std::fflush(out) != 0 || std::fclose(out) != 0) die("cannot write the results file", args.out);
    std::printf("sim cycles=%llu pairs=%llu results=%llu resets=%llu seconds=%.6f cpu_seconds=%.6f\n",
                (unsigned long long)cycles, (unsigned long long)consumed, (unsigned long long)results,
                (unsigned long long)resets, std::chrono::duration<double>(t1 - t0).count(),
                (double)(c1 - c0) / CLOCKS_PER_SEC);
    return 0;
}
