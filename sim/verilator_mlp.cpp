// Verilator driver for the whole-network accelerator (SPEC section 9).
//
// Built by `sievingnet::engine::mlp` as
//   verilator --cc --build --exe --prefix Vsieve_mlp --top-module NAME \
//       FILE.v sim/verilator_mlp.cpp
//
// Usage:
//   Vsieve_mlp --in JOB.bin --out EVENTS.bin [--gap-prob P] [--seed S]
//       [--max-wait CYCLES] [--tail CYCLES] [--a-bits A] [--coverage COVERAGE.dat]
//
// JOB.bin: "SNMJ0001", then little-endian uint32 load_count, sample_count,
//   features; then load_count int32 load values; then sample_count *
//   features int16 features (sample-major).
// EVENTS.bin: "SNME0001", then 24-byte records of three little-endian uint64
//   [tag, cycle, value]: tag 0 a result (value = out_class), tag 1 a
//   sample's first feature consumed, tag 2 its last feature consumed, tag 3
//   the last load value consumed, tag 4 (with --coverage) the first edge
//   counted, tag 5 (last) the number of edges simulated. Cycles count
//   rising edges after reset. Built with -DSN_MLP_COUNTERS (an accelerator
//   exported with --counters), each result record is followed by tags 6 to
//   9: its out_zero_a, out_zero_w, out_sieved and out_kept.
// The last line on stdout: "sim cycles=C results=R seconds=S".
//
// Driving rules: a value or feature is consumed at a rising edge where reset
// is low and valid && ready, and held until then; before each one, idle
// cycles each with probability --gap-prob (random data on the ports); 4
// reset cycles first with randomized register state; outputs sampled just
// before each rising edge; after the last feature, wait for the results (at
// most --max-wait cycles), then --tail more cycles to catch extra results.
// --coverage (only in a build with Verilator's --coverage-toggle, see
// `sievingnet power-mlp`): writes the toggle coverage of the inference only.
// The ports carry no random data (an idle port holds its last value), and
// the count is zeroed 8 idle cycles after the last load value, so the
// loading of the memories is not counted.
// Built with -DSN_MLP_BOARD, the top is the board top of export-mlp
// --flash-offset: no load port; a behavioural SPI flash holding the load
// values (4 bytes each, least significant first) at --flash-offset answers
// on the spi_* pins (asleep until the wake-up command 0xAB and
// --wake-clocks deselected clocks), and tag 3 is the edge after which
// `loaded` is high.
// Exit status: 0 ok, 2 bad usage or file, 3 timeout.

#include "Vsieve_mlp.h"
#include "verilated.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

[[noreturn]] void die(const char* what, const char* detail) {
    std::fprintf(stderr, "error: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    std::exit(2);
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

template <typename T>
void read_exact(std::FILE* f, T* dst, size_t n, const char* path) {
    if (n && std::fread(dst, sizeof(T), n, f) != n) die("the job file is truncated", path);
}

#ifdef SN_MLP_BOARD
// SPI flash, mode 0 (the model of src/rtl/mlp/flash.rs).
struct Flash {
    std::vector<uint8_t> mem;  // the whole flash up to the image's end
    uint64_t wake_clocks = 256;
    int miso = 1;
    bool awake = false, woken = false;
    uint64_t clock = 0, woken_at = 0;
    uint32_t bits = 0, command = 0, address = 0;
    bool sck = false, cs_n = true;
    void step(bool cs_now, bool sck_now, bool mosi) {
        ++clock;
        if (cs_now) {
            if (!cs_n && bits == 8 && command == 0xAB) {
                woken = true;
                woken_at = clock;
            }
            bits = 0;
            command = 0;
            miso = 1;
        } else {
            if (cs_n && woken && clock - woken_at >= wake_clocks) awake = true;
            if (sck_now && !sck) {
                if (bits < 32) command = (command << 1) | (mosi ? 1u : 0u);
                ++bits;
                if (bits == 32) address = command & 0xffffff;
            }
            const bool reading = awake && bits >= 32 && (command >> 24) == 0x03;
            if (!sck_now && sck && reading) {
                const uint32_t k = bits - 32;
                const uint64_t at = (uint64_t)address + k / 8;
                const uint8_t byte = at < mem.size() ? mem[at] : 0xff;
                miso = (byte >> (7 - k % 8)) & 1;
            }
        }
        sck = sck_now;
        cs_n = cs_now;
    }
};
#endif

}  // namespace

int main(int argc, char** argv) {
    const char* in = nullptr;
    const char* outp = nullptr;
    double gap_prob = 0.0;
    uint64_t seed = 1, max_wait = 10000000, tail = 64;
    int a_bits = 8;
    const char* coverage = nullptr;
    uint64_t flash_offset = 0, wake_clocks = 256;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        if (k.rfind("+verilator", 0) == 0) continue;
        if (i + 1 >= argc) die("missing value after", argv[i]);
        const char* v = argv[++i];
        if (k == "--in") in = v;
        else if (k == "--out") outp = v;
        else if (k == "--gap-prob") gap_prob = std::atof(v);
        else if (k == "--seed") seed = std::strtoull(v, nullptr, 10);
        else if (k == "--max-wait") max_wait = std::strtoull(v, nullptr, 10);
        else if (k == "--tail") tail = std::strtoull(v, nullptr, 10);
        else if (k == "--a-bits") a_bits = std::atoi(v);
        else if (k == "--coverage") coverage = v;
        else if (k == "--flash-offset") flash_offset = std::strtoull(v, nullptr, 10);
        else if (k == "--wake-clocks") wake_clocks = std::strtoull(v, nullptr, 10);
        else die("unknown argument", argv[i - 1]);
    }
    if (!in || !outp) die("usage", "--in JOB.bin --out EVENTS.bin are required");
    if (gap_prob < 0.0 || gap_prob >= 1.0) die("--gap-prob must be in [0, 1)", nullptr);
    if (a_bits < 2 || a_bits > 16) die("--a-bits must be in 2..=16", nullptr);
#if !VM_COVERAGE
    if (coverage) die("--coverage needs a build with --coverage-toggle", coverage);
#endif

    std::FILE* f = std::fopen(in, "rb");
    if (!f) die("cannot open the job file", in);
    char magic[8];
    if (std::fread(magic, 1, 8, f) != 8 || std::memcmp(magic, "SNMJ0001", 8) != 0)
        die("not a job file (missing header SNMJ0001)", in);
    uint32_t hdr[3];
    read_exact(f, hdr, 3, in);
    const uint32_t n_load = hdr[0], n_samples = hdr[1], n_features = hdr[2];
    std::vector<int32_t> load(n_load);
    read_exact(f, load.data(), n_load, in);
    std::vector<int16_t> feats((size_t)n_samples * n_features);
    read_exact(f, feats.data(), feats.size(), in);
    std::fclose(f);

    std::FILE* out = std::fopen(outp, "wb");
    if (!out) die("cannot create the events file", outp);
    std::fwrite("SNME0001", 1, 8, out);

    auto ctx = std::make_unique<VerilatedContext>();
    ctx->randReset(2);
    ctx->randSeed((int)(seed & 0x7fffffff));
    auto top = std::make_unique<Vsieve_mlp>(ctx.get(), "dut");
    Rng rng(seed);
    const uint64_t gap_threshold = (uint64_t)(gap_prob * 18446744073709551616.0);
    const uint64_t ma = (1ull << a_bits) - 1;

    uint64_t cycles = 0, edge0 = 0, results = 0;
    bool collect = false;
    auto event = [&](uint64_t tag, uint64_t cyc, uint64_t value) {
        uint64_t rec[3] = {tag, cyc, value};
        std::fwrite(rec, sizeof rec, 1, out);
    };
#ifdef SN_MLP_BOARD
    // The flash: erased (0xff) below the offset, then the load values.
    Flash flash;
    flash.wake_clocks = wake_clocks;
    flash.mem.assign(flash_offset, 0xff);
    for (int32_t v : load)
        for (int b = 0; b < 4; ++b) flash.mem.push_back((uint8_t)((uint32_t)v >> (8 * b)));
#endif
    // One cycle with the inputs set: settle, sample, rising edge. Returns
    // (load fired, input fired).
    auto cycle = [&](bool reset, bool* load_fired, bool* in_fired) {
        top->clock = 0;
        top->reset = reset;
#ifdef SN_MLP_BOARD
        top->spi_miso = flash.miso;
        top->eval();
        const bool lf = false;
#else
        top->eval();
        const bool lf = !reset && top->load_valid && top->load_ready;
#endif
        const bool xf = !reset && top->in_valid && top->in_ready;
        if (top->out_valid && collect) {
            event(0, cycles - 1 - edge0, top->out_class);
#ifdef SN_MLP_COUNTERS
            event(6, cycles - 1 - edge0, top->out_zero_a);
            event(7, cycles - 1 - edge0, top->out_zero_w);
            event(8, cycles - 1 - edge0, top->out_sieved);
            event(9, cycles - 1 - edge0, top->out_kept);
#endif
            ++results;
        }
        if (load_fired) *load_fired = lf;
        if (in_fired) *in_fired = xf;
        top->clock = 1;
        top->eval();
#ifdef SN_MLP_BOARD
        flash.step(top->spi_cs_n, top->spi_sck, top->spi_mosi);
#endif
        ++cycles;
    };
    bool quiet_ports = false;  // set once the reset is over, when counting
    auto junk = [&]() {
        if (quiet_ports) return;
        uint64_t r = rng.next();
#ifndef SN_MLP_BOARD
        top->load_data = (uint32_t)r;
#endif
        top->in_x = (r >> 32) & ma;
        top->in_last = (r >> 48) & 1;
    };
    auto idle = [&]() {
        if (!gap_threshold) return;
        while (rng.next() < gap_threshold) {
#ifndef SN_MLP_BOARD
            top->load_valid = 0;
#endif
            top->in_valid = 0;
            junk();
            cycle(false, nullptr, nullptr);
        }
    };

    for (int i = 0; i < 4; ++i) {
        junk();
#ifndef SN_MLP_BOARD
        top->load_valid = rng.next() & 1;
#endif
        top->in_valid = rng.next() & 1;
        cycle(true, nullptr, nullptr);
    }
    collect = true;
    edge0 = cycles;
    if (coverage) {
        quiet_ports = true;
#ifndef SN_MLP_BOARD
        top->load_valid = 0;
        top->load_data = 0;
#endif
        top->in_valid = 0;
        top->in_x = 0;
        top->in_last = 0;
    }
    auto t0 = std::chrono::steady_clock::now();

    top->in_valid = 0;
#ifdef SN_MLP_BOARD
    // The loader reads the flash: wait for `loaded`.
    {
        uint64_t waited = 0;
        while (!top->loaded) {
            junk();
            cycle(false, nullptr, nullptr);
            if (++waited > max_wait + 100 * (uint64_t)n_load) {
                std::fprintf(stderr, "error: loaded stayed low for %llu cycles\n",
                             (unsigned long long)waited);
                std::exit(3);
            }
        }
        event(3, cycles - 1 - edge0, 0);
    }
#else
    for (uint32_t n = 0; n < n_load; ++n) {
        idle();
        junk();
        top->load_valid = 1;
        top->load_data = (uint32_t)load[n];
        bool fired = false;
        uint64_t waited = 0;
        for (;;) {
            cycle(false, &fired, nullptr);
            if (fired) break;
            if (++waited > max_wait) {
                std::fprintf(stderr, "error: load_ready stayed low for %llu cycles at value %u\n",
                             (unsigned long long)max_wait, n);
                std::exit(3);
            }
        }
        if (n + 1 == n_load) event(3, cycles - 1 - edge0, 0);
    }
    top->load_valid = 0;
#endif
    if (coverage) {
        // Let the last write land, then count the inference alone.
#ifndef SN_MLP_BOARD
        top->load_data = 0;
#endif
        for (int i = 0; i < 8; ++i) cycle(false, nullptr, nullptr);
#if VM_COVERAGE
        ctx->coveragep()->zero();
#endif
        event(4, cycles - edge0, 0);
    }
    for (uint32_t s = 0; s < n_samples; ++s) {
        for (uint32_t i = 0; i < n_features; ++i) {
            idle();
            junk();
            top->in_valid = 1;
            top->in_x = (uint64_t)(int64_t)feats[(size_t)s * n_features + i] & ma;
            top->in_last = i + 1 == n_features;
            bool fired = false;
            uint64_t waited = 0;
            for (;;) {
                cycle(false, nullptr, &fired);
                if (fired) break;
                if (++waited > max_wait) {
                    std::fprintf(stderr, "error: in_ready stayed low for %llu cycles at sample %u\n",
                                 (unsigned long long)max_wait, s);
                    std::exit(3);
                }
            }
            if (i == 0) event(1, cycles - 1 - edge0, s);
            if (i + 1 == n_features) event(2, cycles - 1 - edge0, s);
        }
    }
    top->in_valid = 0;
    uint64_t waited = 0;
    while (results < n_samples) {
        if (++waited > max_wait) {
            std::fflush(out);
            std::fprintf(stderr, "error: timeout: %llu of %u results within %llu cycles\n",
                         (unsigned long long)results, n_samples, (unsigned long long)max_wait);
            std::exit(3);
        }
        junk();
        cycle(false, nullptr, nullptr);
    }
    for (uint64_t i = 0; i < tail; ++i) cycle(false, nullptr, nullptr);
    auto t1 = std::chrono::steady_clock::now();
    event(5, cycles - edge0, 0);
    top->final();
#if VM_COVERAGE
    if (coverage) ctx->coveragep()->write(coverage);
#endif
    if (std::fflush(out) != 0 || std::fclose(out) != 0) die("cannot write the events file", outp);
    std::printf("sim cycles=%llu results=%llu seconds=%.6f\n", (unsigned long long)(cycles - edge0),
                (unsigned long long)results, std::chrono::duration<double>(t1 - t0).count());
    return 0;
}
