//! Single-port synchronous memory for the accelerator: one address for
//! reads and writes (so Yosys can map it to block RAM or, with `-spram`, to
//! the UP5K's SPRAM), read data registered, held while `read_enable` is low.
//! The depth is set at construction (the ROM's shapes), the address width
//! is a const generic.

use rust_hdl::prelude::*;

#[derive(LogicBlock)]
pub struct SyncMemory<const D: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    pub address: Signal<In, Bits<AW>>,
    pub write_enable: Signal<In, Bit>,
    pub write_data: Signal<In, Bits<D>>,
    pub read_enable: Signal<In, Bit>,
    pub read_data: Signal<Out, Bits<D>>,
    _store: Vec<Bits<D>>,
}

impl<const D: usize, const AW: usize> SyncMemory<D, AW> {
    /// A memory of `depth` words (`1 ..= 2^AW`), all zero in simulation
    /// (undefined in hardware until written).
    pub fn new(depth: usize) -> Self {
        assert!(
            depth >= 1 && (AW >= usize::BITS as usize || depth <= 1usize << AW),
            "memory depth {depth} does not fit {AW} address bits"
        );
        Self {
            clock: Default::default(),
            address: Default::default(),
            write_enable: Default::default(),
            write_data: Default::default(),
            read_enable: Default::default(),
            read_data: Default::default(),
            _store: vec![Bits::<D>::default(); depth],
        }
    }

    pub fn depth(&self) -> usize {
        self._store.len()
    }
}

impl<const D: usize, const AW: usize> Logic for SyncMemory<D, AW> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let addr = self.address.val().index();
            if self.write_enable.val() {
                if let Some(word) = self._store.get_mut(addr) {
                    *word = self.write_data.val();
                }
            } else if self.read_enable.val() {
                self.read_data.next = self._store.get(addr).copied().unwrap_or_default();
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
// Address bits above the depth are never set; mark them used for the lint.
/* verilator lint_off UNUSEDSIGNAL */
wire unused_address_bits = |address;
/* verilator lint_on UNUSEDSIGNAL */
reg [{msb}:0] mem[0:{last}];
always @(posedge clock) begin
   if (write_enable)
      mem[address] <= write_data;
   else if (read_enable)
      read_data <= mem[address];
end
",
            msb = D - 1,
            last = self.depth() - 1,
        ))
    }
}
