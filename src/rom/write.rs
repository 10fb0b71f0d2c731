//! The atomic ROM writer: a whole directory appears at once or not at all.

use super::hex::{classes_body, mem_body};
use super::{
    validate_mlp, validate_test_set, LayerJson, ModelJson, Rom, TestSetJson, UnitJson, FORMAT,
    VERSION,
};
use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// An error unless every entry of the existing directory `dir` is a file of
/// the ROM in it: `model.json` and the memory and test files it names
/// (an empty directory passes). [`write_rom`] replaces only such a folder.
pub fn check_replaceable(dir: &Path) -> Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .collect::<std::io::Result<_>>()?;
    if entries.is_empty() {
        return Ok(());
    }
    let how =
        "choose another ROM directory, or move the directory away (or delete it) yourself first";
    let own: Vec<String> = match fs::read_to_string(dir.join("model.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<ModelJson>(&t).ok())
    {
        Some(m) => std::iter::once("model.json".to_string())
            .chain(
                m.layers
                    .iter()
                    .flat_map(|l| [l.weights.clone(), l.bias.clone(), l.thresholds.clone()]),
            )
            .chain(
                m.test_set
                    .iter()
                    .flat_map(|t| [t.inputs.clone(), t.labels.clone(), t.predictions.clone()]),
            )
            .collect(),
        None => bail!(
            "refusing to replace {}: it is not empty and holds no readable ROM model.json; {how}",
            dir.display()
        ),
    };
    let mut foreign: Vec<String> = entries
        .iter()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !(e.file_type().is_ok_and(|t| t.is_file()) && own.contains(&name))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    if !foreign.is_empty() {
        foreign.sort();
        bail!(
            "refusing to replace the ROM in {}: it also holds {}, which the ROM does not name \
             (the writer never deletes what it did not write); {how}",
            dir.display(),
            foreign.join(", ")
        );
    }
    Ok(())
}

fn write_file(dir: &Path, name: &str, body: &str) -> Result<()> {
    let path = dir.join(name);
    let mut f =
        fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    f.write_all(body.as_bytes())
        .and_then(|_| f.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `rom` into directory `dir` atomically (see the module docs). An
/// existing `dir` is replaced only if it is empty or holds nothing but a
/// ROM's own files (its `model.json` and the files that names): the writer
/// never deletes what it did not write.
pub fn write_rom(dir: &Path, rom: &Rom) -> Result<()> {
    validate_mlp(&rom.mlp)?;
    if let Some(t) = &rom.test_set {
        validate_test_set(&rom.mlp, t)?;
    }
    if dir.exists() {
        if !dir.is_dir() {
            bail!(
                "{} exists and is not a directory: choose another ROM directory",
                dir.display()
            );
        }
        check_replaceable(dir)?;
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".rom-tmp-")
        .tempdir_in(&parent)
        .with_context(|| {
            format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )
        })?;
    // Removed on Ctrl-C too (the TempDir itself goes when dropped).
    let _pending = crate::files::track(tmp.path());

    let u = rom.mlp.unit;
    let mut layers = Vec::new();
    for (li, l) in rom.mlp.layers.iter().enumerate() {
        let lj = LayerJson {
            inputs: l.inputs,
            outputs: l.outputs,
            weights: format!("layer{li}_w.mem"),
            bias: format!("layer{li}_b.mem"),
            thresholds: format!("layer{li}_t.mem"),
            shift: l.shift,
            relu: l.relu,
        };
        write_file(tmp.path(), &lj.weights, &mem_body(&l.weights, u.w_bits()))?;
        write_file(tmp.path(), &lj.bias, &mem_body(&l.bias, u.acc_bits()))?;
        write_file(
            tmp.path(),
            &lj.thresholds,
            &mem_body(&l.thresholds, u.t_bits()),
        )?;
        layers.push(lj);
    }
    let test_set = match &rom.test_set {
        None => None,
        Some(t) => {
            let tj = TestSetJson {
                inputs: "test_inputs.mem".into(),
                labels: "test_labels.txt".into(),
                predictions: "test_predictions.txt".into(),
            };
            let flat: Vec<i64> = t.inputs.iter().flatten().copied().collect();
            write_file(tmp.path(), &tj.inputs, &mem_body(&flat, u.a_bits()))?;
            write_file(tmp.path(), &tj.labels, &classes_body(&t.labels))?;
            write_file(tmp.path(), &tj.predictions, &classes_body(&t.predictions))?;
            Some(tj)
        }
    };
    let model = ModelJson {
        format: FORMAT.into(),
        version: VERSION,
        unit: UnitJson {
            a_bits: u.a_bits(),
            w_bits: u.w_bits(),
            t_bits: u.t_bits(),
            acc_bits: u.acc_bits(),
            // Optional in the format (SPEC section 8): written when not 32.
            cnt_bits: (u.cnt_bits() != 32).then_some(u.cnt_bits()),
            coding: u.coding(),
        },
        input: rom.input.clone(),
        layers,
        test_set,
    };
    let mut json = serde_json::to_string_pretty(&model)?;
    json.push('\n');
    write_file(tmp.path(), "model.json", &json)?;

    // Swap into place: move an old ROM aside, rename the new one, drop the old.
    let tmp_path = tmp.keep();
    let old = if dir.exists() {
        let aside = parent.join(format!(
            ".rom-old-{}-{}",
            std::process::id(),
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        ));
        if let Err(e) = fs::rename(dir, &aside) {
            let _ = fs::remove_dir_all(&tmp_path);
            return Err(e)
                .with_context(|| format!("cannot move the old ROM {} aside", dir.display()));
        }
        Some(aside)
    } else {
        None
    };
    if let Err(e) = fs::rename(&tmp_path, dir) {
        let _ = fs::remove_dir_all(&tmp_path);
        if let Some(aside) = &old {
            let _ = fs::rename(aside, dir);
        }
        return Err(e).with_context(|| format!("cannot rename the new ROM into {}", dir.display()));
    }
    if let Some(aside) = old {
        let _ = fs::remove_dir_all(aside);
    }
    Ok(())
}
