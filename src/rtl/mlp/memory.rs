//! Single-port synchronous memory for the accelerator: one address for
//! reads and writes (so Yosys can map it to block RAM or, with `-spram`, to
//! the UP5K's SPRAM), read data registered, held while `read_enable` is low.
//! The depth is set at construction (the ROM's shapes), the address width
//! is a const generic.

use super::{LANE_BITS, MAX_LANES};
use crate::model::stream::wrap_signed;
use crate::rtl::low_ones;
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

/// The UP5K's block RAM: 30 blocks of 4 Kbit.
const UP5K_BLOCK_RAM_BITS: usize = 30 * 4096;
/// SPRAM's write mask: one bit per nibble.
const SPRAM_MASK_BITS: usize = 4;

/// One value per lane at each address, one `N * F`-bit word (the lanes of
/// a group share addresses): the weights, which Yosys maps to the UP5K's
/// SPRAM blocks (16 bits wide each, written with their nibble masks), and
/// the thresholds, in block RAM (one memory for all lanes, not one block
/// each). The depth is rounded up to a power of two (SPRAM inference needs
/// whole blocks). One lane's field is written per load beat.
///
/// A field holds `F <= W` bits (the ROM's weight width, so that 3-bit
/// weights on 4-bit lanes take 3 bits of the word and more lanes share one
/// read); a read sign-extends it to the lane's `W` bits.
///
/// SPRAM writes in nibbles, so fields that are not whole nibbles are
/// written by read-modify-write ([`LaneStore::merges_writes`]): a write
/// stores the word read at the clock before with field `write_lane`
/// replaced, and the caller reads the same address first. (Written by
/// lane masks instead, Yosys gives each field a nibble of its own, and 21
/// 3-bit lanes need 6 SPRAM blocks, not 4.)
#[derive(LogicBlock)]
pub struct LaneStore<const W: usize, const AW: usize> {
    pub clock: Signal<In, Clock>,
    pub address: Signal<In, Bits<AW>>,
    pub write_enable: Signal<In, Bit>,
    pub write_lane: Signal<In, Bits<LANE_BITS>>,
    pub write_data: Signal<In, Bits<W>>,
    pub read_enable: Signal<In, Bit>,
    pub read_data: Vec<Signal<Out, Bits<W>>>,
    _field_bits: usize,
    _store: Vec<Vec<Bits<W>>>,
    /// The word read last (what a merged write modifies).
    _word: Vec<Bits<W>>,
}

impl<const W: usize, const AW: usize> LaneStore<W, AW> {
    /// `lanes` fields of `field_bits` (`1 ..= W`) at each of `depth`
    /// addresses (rounded up to a power of two).
    pub fn new(lanes: usize, depth: usize, field_bits: usize) -> Self {
        let depth = depth.next_power_of_two();
        assert!(
            (1..=MAX_LANES).contains(&lanes)
                && (AW >= usize::BITS as usize || depth <= 1usize << AW),
            "a lane store of {lanes} lanes and depth {depth} does not fit {AW} address bits"
        );
        assert!(
            (1..=W).contains(&field_bits),
            "field of {field_bits} bits in a {W}-bit lane"
        );
        Self {
            clock: Default::default(),
            address: Default::default(),
            write_enable: Default::default(),
            write_lane: Default::default(),
            write_data: Default::default(),
            read_enable: Default::default(),
            read_data: (0..lanes).map(|_| Default::default()).collect(),
            _field_bits: field_bits,
            _word: vec![Bits::<W>::default(); lanes],
            _store: vec![vec![Bits::<W>::default(); lanes]; depth],
        }
    }

    /// Words of the memory (a power of two).
    pub fn depth(&self) -> usize {
        self._store.len()
    }

    /// Whether a write is a read-modify-write of the word read last
    /// (fields that are not whole nibbles).
    pub fn merges_writes(&self) -> bool {
        !self._field_bits.is_multiple_of(SPRAM_MASK_BITS)
    }

    /// `value` as the field keeps it: its low `field_bits`, sign-extended.
    fn kept(&self, value: Bits<W>) -> Bits<W> {
        let low = wrap_signed(value.index() as i128, self._field_bits as u32);
        (low as u64 & low_ones(W)).into()
    }
}

impl<const W: usize, const AW: usize> Logic for LaneStore<W, AW> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let addr = self.address.val().index();
            if self.write_enable.val() {
                let lane = self.write_lane.val().index();
                let value = self.kept(self.write_data.val());
                let merges = self.merges_writes();
                if let Some(word) = self._store.get_mut(addr) {
                    if merges {
                        word.clone_from(&self._word);
                    }
                    if let Some(slot) = word.get_mut(lane) {
                        *slot = value;
                    }
                }
            } else if self.read_enable.val() {
                // Reuses the word's buffer: this runs on every streaming clock.
                match self._store.get(addr) {
                    Some(word) => self._word.clone_from(word),
                    None => self._word.fill(Bits::<W>::default()),
                }
                for (port, &value) in self.read_data.iter_mut().zip(&self._word) {
                    port.next = value;
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
        let f = self._field_bits;
        let bits = lanes * f;
        let abits = self.depth().trailing_zeros().max(1) as usize;
        // Field `l` of `target` gets the write data, in a `case` on the lane.
        let data = if f < W {
            format!("write_data[{}:0]", f - 1)
        } else {
            "write_data".to_string()
        };
        let fields = |target: &str, assign: &str| -> String {
            (0..lanes)
                .map(|l| {
                    format!(
                        "         {l}: {target}[{hi}:{lo}] {assign} {data};\n",
                        hi = (l + 1) * f - 1,
                        lo = l * f,
                    )
                })
                .collect()
        };
        let reads: String = (0..lanes)
            .map(|l| {
                let (hi, lo) = ((l + 1) * f - 1, l * f);
                if f < W {
                    format!(
                        "   read_data${l} = {{{{{ext}{{word[{hi}]}}}}, word[{hi}:{lo}]}};\n",
                        ext = W - f
                    )
                } else {
                    format!("   read_data${l} = word[{hi}:{lo}];\n")
                }
            })
            .collect();
        // Bits of write_data above the field are never stored.
        let unused_data = if f < W {
            format!(
                "wire unused_write_data_bits = |write_data[{}:{f}];\n",
                W - 1
            )
        } else {
            String::new()
        };
        let addr = format!("address[{}:0]", abits - 1);
        let write = if self.merges_writes() {
            // Read-modify-write: the word read last, one field replaced.
            format!(
                "\
reg [{wmsb}:0] merged;
always @(*) begin
   merged = word;
   case (write_lane)
{cases}      default: ;
   endcase
end
always @(posedge clock) begin
   if (write_enable)
      mem[{addr}] <= merged;
   else if (read_enable)
      word <= mem[{addr}];
end
",
                wmsb = bits - 1,
                cases = fields("merged", "="),
            )
        } else {
            format!(
                "\
always @(posedge clock) begin
   if (write_enable) begin
      case (write_lane)
{cases}         default: ;
      endcase
   end else if (read_enable)
      word <= mem[{addr}];
end
",
                cases = fields(&format!("mem[{addr}]"), "<="),
            )
        };
        // More bits than the UP5K's block RAM holds can only go to SPRAM;
        // Yosys's cost model would put a memory of 4K words in block RAM
        // however many blocks that takes.
        let style = if self.depth() * bits > UP5K_BLOCK_RAM_BITS {
            "(* ram_style = \"huge\" *)\n"
        } else {
            ""
        };
        Verilog::Custom(format!(
            "\
// Address bits above the depth are never set; mark them used for the lint.
/* verilator lint_off UNUSEDSIGNAL */
wire unused_address_bits = |address;
{unused_data}/* verilator lint_on UNUSEDSIGNAL */
{style}reg [{wmsb}:0] mem[0:{last}];
reg [{wmsb}:0] word;
{write}always @(*) begin
{reads}end
",
            wmsb = bits - 1,
            last = self.depth() - 1,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text<const W: usize>(store: &LaneStore<W, 20>) -> String {
        match store.hdl() {
            Verilog::Custom(text) => text,
            _ => unreachable!("a lane store writes its own Verilog"),
        }
    }

    #[test]
    fn stores_beyond_block_ram_are_marked_for_spram() {
        // 4K words of 32 lanes x 2 bits: 256 Kbit, more than the UP5K's
        // 120 Kbit of block RAM.
        let big = text(&LaneStore::<4, 20>::new(32, 4096, 2));
        assert!(big.contains("(* ram_style = \"huge\" *)"), "{big}");
        // 8 lanes of the same: 64 Kbit, left to Yosys.
        assert!(!text(&LaneStore::<4, 20>::new(8, 4096, 2)).contains("ram_style"));
    }

    #[test]
    fn fields_narrower_than_a_nibble_are_merged_and_sign_extended() {
        let store = LaneStore::<4, 20>::new(3, 8, 3);
        assert!(store.merges_writes());
        let text = text(&store);
        assert!(text.contains("mem[address[2:0]] <= merged;"), "{text}");
        assert!(
            text.contains("read_data$2 = {{1{word[8]}}, word[8:6]};"),
            "{text}"
        );
        assert!(!LaneStore::<4, 20>::new(3, 8, 4).merges_writes());
        assert!(!LaneStore::<8, 20>::new(3, 8, 8).merges_writes());
    }
}
