//! `sievingnet presets`: the preset table, for people and for scripts.

use anyhow::Result;
use clap::Args;
use sievingnet::design::Arch;
use sievingnet::presets::{shipped_designs, DEFAULT_PRESET, MAC_PRESETS, PRESETS};

#[derive(Args, Debug)]
pub struct PresetsArgs {
    /// Print the table as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print the designs shipped in hdl/, one per line: the file stem, then
    /// the `sievingnet export` flags that make it (scripts/regenerate-hdl.sh
    /// reads this).
    #[arg(long, conflicts_with = "json")]
    pub shipped: bool,
}

pub fn run(args: PresetsArgs) -> Result<()> {
    if args.json {
        println!("{}", serde_json::to_string_pretty(PRESETS)?);
    } else if args.shipped {
        for (stem, cfg, design) in shipped_designs() {
            let counters = if design.counters() || design.arch() == Arch::Mac {
                ""
            } else {
                " --no-counters"
            };
            println!(
                "{stem} --a-bits {} --w-bits {} --t-bits {} --acc-bits {} --cnt-bits {} --coding {} --arch {}{counters}",
                cfg.a_bits(),
                cfg.w_bits(),
                cfg.t_bits(),
                cfg.acc_bits(),
                cfg.cnt_bits(),
                cfg.coding(),
                design.arch(),
            );
        }
    } else {
        println!(
            "{:<10} {:>2} {:>2} {:>2} {:>3} {:>3}  {:<5} purpose",
            "preset", "a", "w", "t", "acc", "cnt", "area"
        );
        for p in PRESETS.iter().chain(MAC_PRESETS) {
            println!(
                "{:<10} {:>2} {:>2} {:>2} {:>3} {:>3}  {:<5} {}{}",
                p.name,
                p.a_bits,
                p.w_bits,
                p.t_bits,
                p.acc_bits,
                p.cnt_bits,
                if p.area { "yes" } else { "" },
                p.purpose,
                if p.name == DEFAULT_PRESET {
                    " (default)"
                } else {
                    ""
                }
            );
        }
        println!(
            "\nEach preset is built in both codings (--coding binary|ternary); the \"exact MAC \
             only\" ones by `--arch mac` alone."
        );
    }
    Ok(())
}
