// Icarus testbench of the whole-network accelerator (SPEC section 9), the
// slow fallback to sim/verilator_mlp.cpp. Compile with the exported file
// (top module `sieve_mlp`) and the sizes as parameters:
//   iverilog -g2005 -P tb_sieve_mlp.N_LOAD=L -P tb_sieve_mlp.N_SAMPLES=S \
//       -P tb_sieve_mlp.FEATURES=F -P tb_sieve_mlp.A_BITS=A \
//       -o sim.vvp sim/tb_sieve_mlp.v sieve_mlp.v
//   vvp -n sim.vvp
// in a folder holding load.mem (one 32-bit hex load value per line) and
// samples.mem (one 16-bit hex feature per line, sample-major). Writes
// classes.txt: one line "cycle class" per out_valid. Values and features
// go in back to back, each consumed at the rising edge after a falling
// edge where its ready was high.
`timescale 1ns/1ps
module tb_sieve_mlp;
  parameter N_LOAD = 1;
  parameter N_SAMPLES = 1;
  parameter FEATURES = 1;
  parameter A_BITS = 8;
  parameter MAX_WAIT = 10000000;

  reg clock = 0;
  reg reset = 1;
  reg load_valid = 0;
  reg [31:0] load_data = 0;
  reg in_valid = 0;
  reg [A_BITS-1:0] in_x = 0;
  reg in_last = 0;
  wire load_ready, in_ready, out_valid;
  wire [7:0] out_class;

  reg [31:0] load_mem [0:N_LOAD-1];
  reg [15:0] sample_mem [0:N_SAMPLES*FEATURES-1];
  integer i, s, f, fd, waited;
  integer results = 0;
  integer cycle = 0;

  sieve_mlp dut (
    .clock(clock), .reset(reset), .load_valid(load_valid), .load_ready(load_ready),
    .load_data(load_data), .in_valid(in_valid), .in_ready(in_ready), .in_x(in_x),
    .in_last(in_last), .out_valid(out_valid), .out_class(out_class));

  always #5 clock = ~clock;

  always @(posedge clock) begin
    cycle <= cycle + 1;
    if (out_valid && !reset) begin
      $fdisplay(fd, "%0d %0d", cycle, out_class);
      results = results + 1;
    end
  end

  initial begin
    $readmemh("load.mem", load_mem);
    $readmemh("samples.mem", sample_mem);
    fd = $fopen("classes.txt", "w");
    repeat (4) @(posedge clock);
    #1 reset = 0;
    for (i = 0; i < N_LOAD; i = i + 1) begin
      load_valid = 1;
      load_data = load_mem[i];
      @(negedge clock);
      while (!load_ready) @(negedge clock);
      @(posedge clock);
      #1;
    end
    load_valid = 0;
    for (s = 0; s < N_SAMPLES; s = s + 1) begin
      for (f = 0; f < FEATURES; f = f + 1) begin
        in_valid = 1;
        in_x = sample_mem[s * FEATURES + f][A_BITS-1:0];
        in_last = (f == FEATURES - 1);
        @(negedge clock);
        while (!in_ready) @(negedge clock);
        @(posedge clock);
        #1;
      end
    end
    in_valid = 0;
    waited = 0;
    while (results < N_SAMPLES && waited < MAX_WAIT) begin
      @(posedge clock);
      waited = waited + 1;
    end
    repeat (64) @(posedge clock);
    #1;
    if (results != N_SAMPLES)
      $display("error: %0d results for %0d samples", results, N_SAMPLES);
    $fclose(fd);
    $finish;
  end
endmodule
