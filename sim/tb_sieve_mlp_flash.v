// Icarus testbench of the accelerator loaded from SPI flash: the board top
// `sieve_mlp_board` (export-mlp --flash-offset) with a behavioural SPI
// flash, then the samples. Compile with the accelerator and its board file:
//   iverilog -g2005 -P tb_sieve_mlp_flash.N_SAMPLES=S \
//       -P tb_sieve_mlp_flash.FEATURES=F -P tb_sieve_mlp_flash.A_BITS=A \
//       -P tb_sieve_mlp_flash.OFFSET=O -P tb_sieve_mlp_flash.IMAGE_BYTES=B \
//       -o sim.vvp sim/tb_sieve_mlp_flash.v sieve_mlp.v sieve_mlp_flash.v
//   vvp -n sim.vvp
// in a folder holding flash.mem (the image, one hex byte per line, stored
// at byte OFFSET of the flash) and samples.mem (one 16-bit hex feature per
// line, sample-major). Writes classes.txt: one line "cycle class" per
// out_valid, and "loaded CYCLE" when the loader is done.
`timescale 1ns/1ps

// SPI flash, mode 0: asleep until the wake-up command 0xAB and WAKE_CLOCKS
// deselected system clocks; then 0x03 and a 24-bit address read bytes from
// there, most significant bit first. Asleep, or outside the image, it
// drives 1s.
module spi_flash_model #(
  parameter OFFSET = 0,
  parameter IMAGE_BYTES = 1,
  parameter WAKE_CLOCKS = 256
) (input clock, input cs_n, input sck, input mosi, output reg miso);
  reg [7:0] mem [0:IMAGE_BYTES-1];
  reg awake = 0;
  reg woken = 0;
  integer deselected = 0;
  integer bits = 0;
  reg [31:0] command = 0;
  integer k, addr;
  initial begin
    $readmemh("flash.mem", mem);
    miso = 1;
  end
  always @(posedge clock)
    if (cs_n && woken) deselected <= deselected + 1;
  always @(negedge cs_n)
    if (woken && deselected >= WAKE_CLOCKS) awake = 1;
  always @(posedge cs_n) begin
    if (bits == 8 && command[7:0] == 8'hab) begin
      woken = 1;
      deselected = 0;
    end
    bits = 0;
    command = 0;
    miso = 1;
  end
  always @(posedge sck)
    if (!cs_n) begin
      if (bits < 32) command = {command[30:0], mosi};
      bits = bits + 1;
    end
  always @(negedge sck)
    if (!cs_n && awake && bits >= 32 && command[31:24] == 8'h03) begin
      k = bits - 32;
      addr = command[23:0] + k / 8 - OFFSET;
      if (addr >= 0 && addr < IMAGE_BYTES) miso = mem[addr][7 - k % 8];
      else miso = 1;
    end
endmodule

module tb_sieve_mlp_flash;
  parameter N_SAMPLES = 1;
  parameter FEATURES = 1;
  parameter A_BITS = 8;
  parameter OFFSET = 0;
  parameter IMAGE_BYTES = 4;
  parameter MAX_WAIT = 10000000;

  reg clock = 0;
  reg reset = 1;
  reg in_valid = 0;
  reg [A_BITS-1:0] in_x = 0;
  reg in_last = 0;
  wire spi_cs_n, spi_sck, spi_mosi, spi_miso, loaded;
  wire in_ready, out_valid;
  wire [7:0] out_class;

  reg [15:0] sample_mem [0:N_SAMPLES*FEATURES-1];
  integer s, f, fd, waited;
  integer results = 0;
  integer cycle = 0;
  reg was_loaded = 0;

  spi_flash_model #(.OFFSET(OFFSET), .IMAGE_BYTES(IMAGE_BYTES)) flash (
    .clock(clock), .cs_n(spi_cs_n), .sck(spi_sck), .mosi(spi_mosi), .miso(spi_miso));

  sieve_mlp_board dut (
    .clock(clock), .reset(reset), .spi_cs_n(spi_cs_n), .spi_sck(spi_sck),
    .spi_mosi(spi_mosi), .spi_miso(spi_miso), .loaded(loaded),
    .in_valid(in_valid), .in_ready(in_ready), .in_x(in_x), .in_last(in_last),
    .out_valid(out_valid), .out_class(out_class));

  always #5 clock = ~clock;

  always @(posedge clock) begin
    cycle <= cycle + 1;
    if (loaded && !was_loaded && !reset) begin
      $fdisplay(fd, "loaded %0d", cycle);
      was_loaded <= 1;
    end
    if (out_valid && !reset) begin
      $fdisplay(fd, "%0d %0d", cycle, out_class);
      results = results + 1;
    end
  end

  initial begin
    $readmemh("samples.mem", sample_mem);
    fd = $fopen("classes.txt", "w");
    repeat (4) @(posedge clock);
    #1 reset = 0;
    // The samples wait on in_ready, which stays low until the last value.
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
    if (results < N_SAMPLES) $display("error: %0d of %0d results", results, N_SAMPLES);
    $fclose(fd);
    $finish;
  end
endmodule
