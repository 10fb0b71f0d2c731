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

/// One value per lane at each address, one `N * W`-bit word (the lanes of
/// a group share addresses): the weights, which Yosys maps to the UP5K's
/// SPRAM blocks (16 bits wide each, written with their nibble masks), and
/// the thresholds, in block RAM (one memory for all lanes, not one block
/// each). The depth is rounded up to a power of two (SPRAM inference needs
/// whole blocks). One lane's field is written per load beat.
#[derive(LogicBlock)]
pub struct LaneStore<const W: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    pub address: Signal<In, Bits<AW>>,
    pub write_enable: Signal<In, Bit>,
    pub write_lane: Signal<In, Bits<5>>,
    pub write_data: Signal<In, Bits<W>>,
    pub read_enable: Signal<In, Bit>,
    pub read_data: Vec<Signal<Out, Bits<W>>>,
    _store: Vec<Vec<Bits<W>>>,
}

impl<const W: usize, const AW: usize> LaneStore<W, AW> {
    pub fn new(lanes: usize, depth: usize) -> Self {
        let depth = depth.next_power_of_two();
        assert!(
            (1..=16).contains(&lanes) && (AW >= usize::BITS as usize || depth <= 1usize << AW),
            "a lane store of {lanes} lanes and depth {depth} does not fit {AW} address bits"
        );
        Self {
            clock: Default::default(),
            address: Default::default(),
            write_enable: Default::default(),
            write_lane: Default::default(),
            write_data: Default::default(),
            read_enable: Default::default(),
            read_data: (0..lanes).map(|_| Default::default()).collect(),
            _store: vec![vec![Bits::<W>::default(); lanes]; depth],
        }
    }

    /// Words of the memory (a power of two).
    pub fn depth(&self) -> usize {
        self._store.len()
    }
}

impl<const W: usize, const AW: usize> Logic for LaneStore<W, AW> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let addr = self.address.val().index();
            if self.write_enable.val() {
                let lane = self.write_lane.val().index();
                if let Some(slot) = self._store.get_mut(addr).and_then(|w| w.get_mut(lane)) {
                    *slot = self.write_data.val();
                }
            } else if self.read_enable.val() {
                for (lane, port) in self.read_data.iter_mut().enumerate() {
                    port.next = self._store.get(addr).map(|w| w[lane]).unwrap_or_default();
                }
            }
        }
    }

    fn connect(&mut self) {
        for port in &mut self.read_data {
            port.connect();
        }
    }

    fn hdl(&self) -> Verilog {
        let lanes = self.read_data.len();
        let bits = lanes * W;
        let abits = self.depth().trailing_zeros().max(1) as usize;
        let writes: String = (0..lanes)
            .map(|l| {
                format!(
                    "         {l}: mem[address[{amsb}:0]][{hi}:{lo}] <= write_data;\n",
                    amsb = abits - 1,
                    hi = (l + 1) * W - 1,
                    lo = l * W
                )
            })
            .collect();
        let reads: String = (0..lanes)
            .map(|l| format!("   read_data${l} = word[{}:{}];\n", (l + 1) * W - 1, l * W))
            .collect();
        Verilog::Custom(format!(
            "\
// Address bits above the depth are never set; mark them used for the lint.
/* verilator lint_off UNUSEDSIGNAL */
wire unused_address_bits = |address;
/* verilator lint_on UNUSEDSIGNAL */
reg [{wmsb}:0] mem[0:{last}];
reg [{wmsb}:0] word;
always @(posedge clock) begin
   if (write_enable) begin
      case (write_lane)
{writes}         default: ;
      endcase
   end else if (read_enable)
      word <= mem[address[{amsb}:0]];
end
always @(*) begin
{reads}end
",
            wmsb = bits - 1,
            last = self.depth() - 1,
            amsb = abits - 1,
        ))
    }
}
