// Test fixture: the exact MAC fixture with a SystemVerilog `always_ff`,
// which Verilator accepts and `iverilog -g2005` rejects.
module lint_bad_sv (
    input clock,
    input reset,
    input in_valid,
    output in_ready,
    input [7:0] in_a,
    input [7:0] in_w,
    /* verilator lint_off UNUSEDSIGNAL */
    input [7:0] in_thr,
    /* verilator lint_on UNUSEDSIGNAL */
    input in_last,
    output reg out_valid,
    output reg [16:0] out_sum,
    output reg out_overflow,
    output [7:0] out_zero_a,
    output [7:0] out_zero_w,
    output [7:0] out_sieved,
    output [7:0] out_kept
);
  reg stall;
  reg [16:0] acc;
  reg ovf;
  wire fire = in_valid & ~stall;
  wire signed [15:0] product = $signed(in_a) * $signed(in_w);
  wire [17:0] exact = {acc[16], acc} + {{2{product[15]}}, product};
  wire next_ovf = ovf | (exact[17] != exact[16]);

  assign in_ready = ~stall;
  assign out_zero_a = 8'd0;
  assign out_zero_w = 8'd0;
  assign out_sieved = 8'd0;
  assign out_kept = 8'd0;

  always_ff @(posedge clock) begin
    if (reset) begin
      stall <= 1'b0;
      acc <= 17'd0;
      ovf <= 1'b0;
      out_valid <= 1'b0;
      out_sum <= 17'd0;
      out_overflow <= 1'b0;
    end else begin
      stall <= fire;
      out_valid <= fire & in_last;
      if (fire & in_last) begin
        out_sum <= exact[16:0];
        out_overflow <= next_ovf;
        acc <= 17'd0;
        ovf <= 1'b0;
      end else if (fire) begin
        acc <= exact[16:0];
        ovf <= next_ovf;
      end
    end
  end
endmodule
