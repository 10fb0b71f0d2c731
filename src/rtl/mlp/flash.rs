//! A loader that streams the ROM's load values from an SPI flash into the
//! accelerator's load port, so that a board can fill the UP5K's SPRAM
//! (which has no initial contents) from its configuration flash.
//!
//! After reset it wakes the flash (command `0xAB`, release from deep
//! power-down, then `WAKE_CLOCKS` idle clocks for the flash's wake-up
//! time), reads from `offset` with the plain read command `0x03`, and turns
//! each four bytes (little-endian) into one load value, offered on
//! `load_valid` until `load_ready`. SPI mode 0, the SPI clock at half the
//! system clock (the `0x03` command is specified to at least 33 MHz on
//! common parts); the clock pauses while a value waits, which a static SPI
//! flash allows. `done` rises after the last value.
//!
//! The flash image is [`flash_image`]: the load stream of SPEC section 9,
//! four bytes per value.

use rust_hdl::prelude::*;

/// Idle clocks between the wake-up command and the read (3 us, the
/// longest `tRES1` of common SPI flashes, at up to 85 MHz).
pub const WAKE_CLOCKS: u64 = 256;
/// Flash addresses are 24 bits (16 MB).
pub const FLASH_BYTES: u64 = 1 << 24;

#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum LoaderState {
    /// Sending a command: `0xAB` (while `waking`), then `0x03` and the
    /// 24-bit address.
    Send,
    /// Chip deselected for the wake-up time.
    WakeWait,
    /// Reading the 32 bits of a value.
    Read,
    /// Offering the value on the load port.
    Offer,
    Done,
}

#[derive(LogicBlock)]
pub struct FlashLoader {
    pub clock: Signal<In, Clock>,
    pub reset: Signal<In, Bit>,
    pub spi_cs_n: Signal<Out, Bit>,
    pub spi_sck: Signal<Out, Bit>,
    pub spi_mosi: Signal<Out, Bit>,
    pub spi_miso: Signal<In, Bit>,
    pub load_valid: Signal<Out, Bit>,
    pub load_data: Signal<Out, Bits<32>>,
    pub load_ready: Signal<In, Bit>,
    pub done: Signal<Out, Bit>,

    read_command: Constant<Bits<32>>,
    wake_command: Constant<Bits<32>>,
    words_m1: Constant<Bits<32>>,
    wake_clocks: Constant<Bits<16>>,
    state: DFF<LoaderState>,
    shift_out: DFF<Bits<32>>,
    shift_in: DFF<Bits<32>>,
    bits_left: DFF<Bits<6>>,
    words: DFF<Bits<32>>,
    wake_left: DFF<Bits<16>>,
    sck: DFF<Bit>,
    cs_n: DFF<Bit>,
    /// The command being sent is the wake-up.
    waking: DFF<Bit>,
    one6: Constant<Bits<6>>,
    one32: Constant<Bits<32>>,
    eight: Constant<Bits<5>>,
    sixteen: Constant<Bits<5>>,
    twenty_four: Constant<Bits<5>>,
    byte0: Signal<Local, Bits<8>>,
    byte1: Signal<Local, Bits<8>>,
    byte2: Signal<Local, Bits<8>>,
    byte3: Signal<Local, Bits<8>>,
    swapped: Signal<Local, Bits<32>>,
}

impl FlashLoader {
    /// A loader of `words` values stored from byte `offset` of the flash.
    pub fn new(offset: u64, words: u64) -> Self {
        assert!(words >= 1 && offset + 4 * words <= FLASH_BYTES);
        Self {
            clock: Default::default(),
            reset: Default::default(),
            spi_cs_n: Default::default(),
            spi_sck: Default::default(),
            spi_mosi: Default::default(),
            spi_miso: Default::default(),
            load_valid: Default::default(),
            load_data: Default::default(),
            load_ready: Default::default(),
            done: Default::default(),
            read_command: Constant::new(((0x03 << 24) | offset).into()),
            wake_command: Constant::new((0xABu64 << 24).into()),
            words_m1: Constant::new((words - 1).into()),
            wake_clocks: Constant::new(WAKE_CLOCKS.into()),
            state: Default::default(),
            shift_out: Default::default(),
            shift_in: Default::default(),
            bits_left: Default::default(),
            words: Default::default(),
            wake_left: Default::default(),
            sck: Default::default(),
            cs_n: Default::default(),
            waking: Default::default(),
            one6: Constant::new(1u64.into()),
            one32: Constant::new(1u64.into()),
            eight: Constant::new(8u64.into()),
            sixteen: Constant::new(16u64.into()),
            twenty_four: Constant::new(24u64.into()),
            byte0: Default::default(),
            byte1: Default::default(),
            byte2: Default::default(),
            byte3: Default::default(),
            swapped: Default::default(),
        }
    }
}

impl Logic for FlashLoader {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, state, shift_out, shift_in, bits_left, words, wake_left, sck, cs_n, waking
        );
        // One SPI bit per two clocks: the rising SCK edge samples MISO
        // (the flash drove it after the last falling edge), the falling
        // edge moves MOSI to the next bit.
        match self.state.q.val() {
            LoaderState::Send => {
                // The chip is selected a clock before the first SCK edge.
                self.cs_n.d.next = false;
                if !self.cs_n.q.val() {
                    self.sck.d.next = !self.sck.q.val();
                }
                if self.sck.q.val() {
                    self.shift_out.d.next = self.shift_out.q.val() << 1;
                    self.bits_left.d.next = self.bits_left.q.val() - 1;
                    if self.bits_left.q.val() == self.one6.val() {
                        self.bits_left.d.next = 32.into();
                        self.state.d.next = LoaderState::Read;
                        if self.waking.q.val() {
                            self.wake_left.d.next = self.wake_clocks.val();
                            self.state.d.next = LoaderState::WakeWait;
                        }
                    }
                }
            }
            LoaderState::WakeWait => {
                // Deselect a clock after the last SCK edge.
                self.cs_n.d.next = true;
                self.wake_left.d.next = self.wake_left.q.val() - 1;
                if !self.wake_left.q.val().any() {
                    self.cs_n.d.next = false;
                    self.shift_out.d.next = self.read_command.val();
                    self.bits_left.d.next = 32.into();
                    self.waking.d.next = false;
                    self.state.d.next = LoaderState::Send;
                }
            }
            LoaderState::Read => {
                self.sck.d.next = !self.sck.q.val();
                if !self.sck.q.val() {
                    self.shift_in.d.next = self.shift_in.q.val() << 1;
                    if self.spi_miso.val() {
                        self.shift_in.d.next = (self.shift_in.q.val() << 1) | self.one32.val();
                    }
                } else {
                    self.bits_left.d.next = self.bits_left.q.val() - 1;
                    if self.bits_left.q.val() == self.one6.val() {
                        self.state.d.next = LoaderState::Offer;
                    }
                }
            }
            LoaderState::Offer => {
                if self.load_ready.val() {
                    self.words.d.next = self.words.q.val() + 1;
                    self.bits_left.d.next = 32.into();
                    self.state.d.next = LoaderState::Read;
                    if self.words.q.val() == self.words_m1.val() {
                        self.cs_n.d.next = true;
                        self.state.d.next = LoaderState::Done;
                    }
                }
            }
            LoaderState::Done => {}
        }
        self.spi_cs_n.next = self.cs_n.q.val();
        // Bytes arrive in address order: the first is the value's least
        // significant.
        self.byte0.next = self.shift_in.q.val().get_bits::<8>(24);
        self.byte1.next = self.shift_in.q.val().get_bits::<8>(16);
        self.byte2.next = self.shift_in.q.val().get_bits::<8>(8);
        self.byte3.next = self.shift_in.q.val().get_bits::<8>(0);
        self.swapped.next = bit_cast::<32, 8>(self.byte0.val())
            | (bit_cast::<32, 8>(self.byte1.val()) << self.eight.val())
            | (bit_cast::<32, 8>(self.byte2.val()) << self.sixteen.val())
            | (bit_cast::<32, 8>(self.byte3.val()) << self.twenty_four.val());
        self.spi_sck.next = self.sck.q.val();
        self.spi_mosi.next = self.shift_out.q.val().get_bit(31);
        self.load_valid.next = self.state.q.val() == LoaderState::Offer;
        self.load_data.next = self.swapped.val();
        self.done.next = self.state.q.val() == LoaderState::Done;
        if self.reset.val() {
            self.state.d.next = LoaderState::Send;
            self.waking.d.next = true;
            self.shift_out.d.next = self.wake_command.val();
            self.bits_left.d.next = 8.into();
            self.words.d.next = 0.into();
            self.sck.d.next = false;
            self.cs_n.d.next = true;
        }
    }
}

/// Clocks from reset to the last of `words` values with the load port
/// always ready: select, 8 wake-up bits, the wake-up time, the 32-bit
/// command, then 64 clocks and an offer per value.
pub fn flash_load_clocks(words: u64) -> u64 {
    1 + 16 + 1 + WAKE_CLOCKS + 64 + 65 * words
}

/// The flash image of `load` (the ROM's load stream): four bytes per value,
/// least significant first, to be written at the loader's offset.
pub fn flash_image(load: &[i64]) -> Vec<u8> {
    load.iter()
        .flat_map(|&v| (v as u32).to_le_bytes())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// A behavioural SPI flash (mode 0) for the tests: it answers only after
    /// the wake-up command and `wake_clocks` deselected clocks; then `0x03`
    /// and a 24-bit address read from that byte on, most significant bit
    /// first. Asleep or for other commands it drives 1s.
    #[derive(Clone, Debug)]
    pub struct SpiFlashModel {
        pub mem: Vec<u8>,
        pub wake_clocks: u64,
        /// The MISO line.
        pub miso: bool,
        awake: bool,
        woken_at: Option<u64>,
        clock: u64,
        bits: u32,
        command: u32,
        address: u32,
        sck: bool,
        cs_n: bool,
    }

    impl SpiFlashModel {
        pub fn new(mem: Vec<u8>, wake_clocks: u64) -> Self {
            Self {
                mem,
                wake_clocks,
                miso: true,
                awake: false,
                woken_at: None,
                clock: 0,
                bits: 0,
                command: 0,
                address: 0,
                sck: false,
                cs_n: true,
            }
        }

        /// The pins after a system clock edge.
        pub fn step(&mut self, cs_n: bool, sck: bool, mosi: bool) {
            self.clock += 1;
            if cs_n {
                if !self.cs_n && self.bits == 8 && self.command == 0xAB {
                    self.woken_at = Some(self.clock);
                }
                self.bits = 0;
                self.command = 0;
                self.miso = true;
            } else {
                if self.cs_n {
                    // Selected: awake once the wake-up time has passed.
                    if let Some(t) = self.woken_at {
                        self.awake |= self.clock - t >= self.wake_clocks;
                    }
                }
                if sck && !self.sck {
                    if self.bits < 32 {
                        self.command = (self.command << 1) | u32::from(mosi);
                    }
                    self.bits += 1;
                    if self.bits == 32 {
                        self.address = self.command & 0xff_ffff;
                    }
                }
                let reading = self.awake && self.bits >= 32 && (self.command >> 24) == 0x03;
                if !sck && self.sck && reading {
                    let k = self.bits - 32;
                    let byte = self
                        .mem
                        .get((self.address + k / 8) as usize)
                        .copied()
                        .unwrap_or(0xff);
                    self.miso = (byte >> (7 - k % 8)) & 1 == 1;
                }
            }
            self.sck = sck;
            self.cs_n = cs_n;
        }
    }

    /// Runs `dut` against `flash` for `cycles` clocks after 2 of reset,
    /// the load port ready when `ready()` says; returns the values taken
    /// and the first clock `done` was high.
    fn run(
        dut: &mut FlashLoader,
        flash: &mut SpiFlashModel,
        cycles: u64,
        mut ready: impl FnMut() -> bool,
    ) -> (Vec<i64>, Option<u64>) {
        dut.connect_all();
        let mut got = Vec::new();
        let mut done_at = None;
        for cycle in 0..cycles {
            let ready = ready();
            dut.clock.next = false.into();
            dut.reset.next = cycle < 2;
            dut.load_ready.next = ready;
            dut.spi_miso.next = flash.miso;
            assert!(simulate(dut, 100));
            if cycle >= 2 && dut.load_valid.val() && ready {
                got.push(dut.load_data.val().to_u64() as u32 as i32 as i64);
            }
            dut.clock.next = true.into();
            assert!(simulate(dut, 100));
            flash.step(dut.spi_cs_n.val(), dut.spi_sck.val(), dut.spi_mosi.val());
            if dut.done.val() && done_at.is_none() {
                done_at = Some(cycle);
            }
        }
        (got, done_at)
    }

    /// Load values from a flash at an offset, the load port's ready
    /// randomly low: every value in order, then `done`, the chip deselected.
    #[test]
    fn streams_every_value_from_the_flash() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let load: Vec<i64> = (0..37)
            .map(|_| rng.gen_range(-(1i64 << 31)..(1i64 << 31)))
            .collect();
        let offset = 0x1_0003;
        let mut mem = vec![0xa5u8; offset as usize];
        mem.extend(flash_image(&load));
        let mut flash = SpiFlashModel::new(mem, WAKE_CLOCKS);
        let mut dut = FlashLoader::new(offset, load.len() as u64);
        let (got, done_at) = run(&mut dut, &mut flash, 20_000, || rng.gen_bool(0.7));
        assert_eq!(got, load);
        assert!(done_at.is_some());
        assert!(dut.spi_cs_n.val());
    }

    /// A loader that does not wait for the flash to wake reads 1s.
    #[test]
    fn the_model_stays_asleep_without_the_wake_up_time() {
        let load = vec![5i64, -7];
        let mut flash = SpiFlashModel::new(flash_image(&load), WAKE_CLOCKS * 2);
        let mut dut = FlashLoader::new(0, 2);
        let (got, _) = run(&mut dut, &mut flash, 2_000, || true);
        assert_eq!(got, vec![-1, -1]);
    }
}
