// Icarus Verilog testbench for any top module with the SPEC section 6 ports.
// The fallback of `sievingnet::engine::verilog` when Verilator is missing or
// is not wanted; it follows the same driving rules as sim/verilator_main.cpp.
//
// Build and run (src/engine/verilog.rs does this):
//   iverilog -g2005 -DDUT=sieve_dot -s tb_sieve_dot \
//       -P tb_sieve_dot.A_BITS=8 -P tb_sieve_dot.W_BITS=8 -P tb_sieve_dot.T_BITS=8 \
//       -P tb_sieve_dot.ACC_BITS=32 -P tb_sieve_dot.CNT_BITS=32 -P tb_sieve_dot.NPAIRS=N \
//       -o tb.vvp sim/tb_sieve_dot.v unit.v
//   vvp -n tb.vvp +vectors=pairs.hex +out=results.txt +seed=1 +gap_ppm=0 +max_wait=100000
//
// pairs.hex ($readmemh, one pair per line, 11 hex digits):
//   bits [15:0] a, [31:16] w, [39:32] thr (two's complement, zero-extended
//   to those fields), bit 40 last, bit 41 reset before this pair.
// results.txt: one line "R cycle sum overflow zero_a zero_w sieved kept"
//   (decimal, sum signed) per out_valid cycle and "L cycle" per consumed pair
//   with last, then "S cycles pairs results resets" and "END ok" or
//   "END timeout ...". Record cycles count rising edges after the initial
//   reset: a last pair consumed at edge c and a result high after edge r are
//   r - c edges apart, the design's latency.
//
// Driving rules: a pair is consumed at a rising edge where reset is low and
// in_valid && in_ready, and held until then; before each pair, idle cycles
// each with probability gap_ppm / 1e6; 4 reset cycles first (outputs
// ignored); a pair flagged "reset before" waits until every finished vector
// has come out, then holds reset 1 to 3 cycles with in_valid high and random
// data; after the last pair, wait for the outstanding results, then 64 more
// cycles.
`timescale 1ns / 1ps
`ifndef DUT
`define DUT sieve_dot
`endif
module tb_sieve_dot;
  parameter A_BITS = 8;
  parameter W_BITS = 8;
  parameter T_BITS = 8;
  parameter ACC_BITS = 32;
  parameter CNT_BITS = 32;
  parameter NPAIRS = 1;

  reg clock = 1'b0;
  reg reset = 1'b1;
  reg in_valid = 1'b0;
  reg [A_BITS-1:0] in_a = 0;
  reg [W_BITS-1:0] in_w = 0;
  reg [T_BITS-1:0] in_thr = 0;
  reg in_last = 1'b0;
  wire in_ready;
  wire out_valid;
  wire [ACC_BITS-1:0] out_sum;
  wire out_overflow;
  wire [CNT_BITS-1:0] out_zero_a;
  wire [CNT_BITS-1:0] out_zero_w;
  wire [CNT_BITS-1:0] out_sieved;
  wire [CNT_BITS-1:0] out_kept;

  `DUT dut (
      .clock(clock),
      .reset(reset),
      .in_valid(in_valid),
      .in_ready(in_ready),
      .in_a(in_a),
      .in_w(in_w),
      .in_thr(in_thr),
      .in_last(in_last),
      .out_valid(out_valid),
      .out_sum(out_sum),
      .out_overflow(out_overflow),
      .out_zero_a(out_zero_a),
      .out_zero_w(out_zero_w),
      .out_sieved(out_sieved),
      .out_kept(out_kept)
  );

  always #5 clock = ~clock;

  reg [43:0] mem[0:NPAIRS-1];
  reg [8*1024-1:0] vectors_file;
  reg [8*1024-1:0] out_file;
  integer fd;
  integer seed;
  integer gap_ppm;
  integer max_wait;
  integer idx;
  integer waited;
  integer n;
  reg [63:0] cycles = 0;
  reg [63:0] consumed = 0;
  reg [63:0] lasts = 0;
  reg [63:0] results = 0;
  reg [63:0] resets = 0;
  reg collect = 1'b0;
  reg fired = 1'b0;
  reg [63:0] edge0 = 0;  // edges of the initial reset

  // Sample just before each rising edge (the unit updates with nonblocking
  // assignments, so the values seen here are the pre-edge ones).
  always @(posedge clock) begin
    cycles = cycles + 1;
    if (collect && !reset && ((^{in_ready, out_valid}) === 1'bx)) begin
      $fdisplay(fd, "END error in_ready or out_valid is x or z after the reset, at cycle %0d",
                cycles);
      $fclose(fd);
      $finish;
    end
    fired = (!reset && in_valid && in_ready) === 1'b1;
    // This posedge is edge cycles - 1 - edge0 (edges counted from 0 after the
    // initial reset); out_valid seen now was raised by the edge before it.
    if (out_valid && collect) begin
      $fdisplay(fd, "R %0d %0d %0d %0d %0d %0d %0d", cycles - 2 - edge0, $signed(out_sum),
                out_overflow, out_zero_a, out_zero_w, out_sieved, out_kept);
      results = results + 1;
    end
    if (fired) begin
      consumed = consumed + 1;
      if (in_last) begin
        lasts = lasts + 1;
        $fdisplay(fd, "L %0d", cycles - 1 - edge0);
      end
    end
  end

  task step;  // one clock cycle; inputs may change 1 ns after the edge
    begin
      @(posedge clock);
      #1;
    end
  endtask

  task random_inputs;
    begin
      in_valid = 1'b1;
      in_a = $random(seed);
      in_w = $random(seed);
      in_thr = $random(seed);
      in_last = $random(seed);
    end
  endtask

  task finish_timeout;
    begin
      $fdisplay(fd, "S %0d %0d %0d %0d", cycles, consumed, results, resets);
      $fdisplay(fd, "END timeout %0d vectors consumed, %0d results after %0d cycles of waiting",
                lasts, results, max_wait);
      $fclose(fd);
      $finish;
    end
  endtask

  task drain;
    begin
      in_valid = 1'b0;
      waited = 0;
      while (results < lasts) begin
        if (waited >= max_wait) finish_timeout;
        waited = waited + 1;
        step;
      end
    end
  endtask

  initial begin
    if (!$value$plusargs("vectors=%s", vectors_file)) begin
      $display("error: +vectors=FILE is required");
      $finish;
    end
    if (!$value$plusargs("out=%s", out_file)) begin
      $display("error: +out=FILE is required");
      $finish;
    end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("gap_ppm=%d", gap_ppm)) gap_ppm = 0;
    if (!$value$plusargs("max_wait=%d", max_wait)) max_wait = 100000;
    $readmemh(vectors_file, mem);
    fd = $fopen(out_file, "w");
    // Initial reset, outputs ignored.
    #1;
    for (n = 0; n < 4; n = n + 1) begin
      reset = 1'b1;
      random_inputs;
      step;
    end
    reset = 1'b0;
    collect = 1'b1;
    edge0 = cycles;
    for (idx = 0; idx < NPAIRS; idx = idx + 1) begin
      if (mem[idx][41]) begin
        drain;
        n = 1 + ($unsigned($random(seed)) % 3);
        while (n > 0) begin
          reset = 1'b1;
          random_inputs;
          step;
          n = n - 1;
        end
        reset = 1'b0;
        resets = resets + 1;
      end
      in_valid = 1'b0;
      if (gap_ppm > 0)
        while (($unsigned($random(seed)) % 1000000) < gap_ppm) step;
      in_valid = 1'b1;
      in_a = mem[idx][15:0];
      in_w = mem[idx][31:16];
      in_thr = mem[idx][39:32];
      in_last = mem[idx][40];
      waited = 0;
      step;
      while (fired !== 1'b1) begin
        if (waited >= max_wait) begin
          $fdisplay(fd, "END timeout in_ready stayed low for %0d cycles at pair %0d", max_wait,
                    idx);
          $fclose(fd);
          $finish;
        end
        waited = waited + 1;
        step;
      end
    end
    drain;
    for (n = 0; n < 64; n = n + 1) step;
    $fdisplay(fd, "S %0d %0d %0d %0d", cycles, consumed, results, resets);
    $fdisplay(fd, "END ok");
    $fclose(fd);
    $finish;
  end
endmodule
