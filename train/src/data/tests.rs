//! The loaders on small files made here and on the shipped data.

use super::*;
use std::io::Write;

fn idx_images(n: u32, rows: u32, cols: u32, data_len: usize) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 3];
    for v in [n, rows, cols] {
        b.extend_from_slice(&v.to_be_bytes());
    }
    b.extend((0..data_len).map(|i| (i % 251) as u8));
    b
}

fn idx_labels(n: u32, data: &[u8]) -> Vec<u8> {
    let mut b = vec![0, 0, 8, 1];
    b.extend_from_slice(&n.to_be_bytes());
    b.extend_from_slice(data);
    b
}

#[test]
fn idx_good_files_parse() {
    let (n, r, c, px) = parse_idx_images(&idx_images(3, 2, 2, 12), "img").unwrap();
    assert_eq!((n, r, c, px.len()), (3, 2, 2, 12));
    assert_eq!(
        parse_idx_labels(&idx_labels(3, &[1, 2, 3]), "lab").unwrap(),
        vec![1, 2, 3]
    );
}

#[test]
fn idx_bad_magic() {
    let e = parse_idx_images(&idx_labels(3, &[1, 2, 3, 4, 5, 6, 7, 8]), "img")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("img: bad magic 0x00000801, expected 0x00000803"),
        "{e}"
    );
    let e = parse_idx_labels(&idx_images(1, 1, 1, 1), "lab")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("lab: bad magic 0x00000803, expected 0x00000801"),
        "{e}"
    );
}

#[test]
fn idx_truncated_and_wrong_sizes() {
    let e = parse_idx_images(&idx_images(3, 2, 2, 11), "img")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("img: truncated: the header promises 3 images of 2x2 (28 bytes)"),
        "{e}"
    );
    let e = parse_idx_images(&idx_images(3, 2, 2, 13), "img")
        .unwrap_err()
        .to_string();
    assert!(e.contains("the header and the data disagree"), "{e}");
    let mut huge = idx_images(1, 1, 1, 1);
    huge[4..16].copy_from_slice(&[0xff; 12]);
    let e = parse_idx_images(&huge, "img").unwrap_err().to_string();
    assert!(
        e.contains("impossibly large") || e.contains("truncated"),
        "{e}"
    );
    let e = parse_idx_images(&[0, 0, 8], "img").unwrap_err().to_string();
    assert!(e.contains("too short for an IDX image header"), "{e}");
    let e = parse_idx_labels(&idx_labels(4, &[1, 2]), "lab")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("promises 4 labels (12 bytes) but the file has 10 bytes: truncated"),
        "{e}"
    );
}

#[test]
fn mnist_folder_plain_and_gz() {
    let tmp = tempfile::tempdir().unwrap();
    let gz = |name: &str, bytes: &[u8]| {
        let f = std::fs::File::create(tmp.path().join(name)).unwrap();
        let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap();
    };
    gz(
        "train-images-idx3-ubyte.gz",
        &idx_images(4, 28, 28, 4 * 784),
    );
    std::fs::write(
        tmp.path().join("train-labels-idx1-ubyte"),
        idx_labels(4, &[0, 1, 2, 9]),
    )
    .unwrap();
    gz("t10k-images-idx3-ubyte.gz", &idx_images(2, 28, 28, 2 * 784));
    gz("t10k-labels-idx1-ubyte.gz", &idx_labels(2, &[3, 4]));
    let s = load_mnist(tmp.path()).unwrap();
    assert_eq!((s.train.len(), s.test.len(), s.train.features), (4, 2, 784));
    assert_eq!(s.test.labels, vec![3, 4]);
    // Label count disagreeing with the images.
    gz("t10k-labels-idx1-ubyte.gz", &idx_labels(3, &[3, 4, 5]));
    let e = format!("{:#}", load_mnist(tmp.path()).unwrap_err());
    assert!(
        e.contains("holds 2 images but") && e.contains("holds 3 labels"),
        "{e}"
    );
    // A corrupt gzip stream.
    std::fs::write(
        tmp.path().join("t10k-labels-idx1-ubyte.gz"),
        b"\x1f\x8b\x08\x00garbage",
    )
    .unwrap();
    let e = format!("{:#}", load_mnist(tmp.path()).unwrap_err());
    assert!(e.contains("not a valid gzip file"), "{e}");
    // Issue 9, fault 3: an empty test set is refused, not trained on.
    gz("t10k-images-idx3-ubyte.gz", &idx_images(0, 28, 28, 0));
    gz("t10k-labels-idx1-ubyte.gz", &idx_labels(0, &[]));
    let e = format!("{:#}", load_mnist(tmp.path()).unwrap_err());
    assert!(e.contains("the mnist test set holds no samples"), "{e}");
    // A missing file names the folder and the expected names.
    std::fs::remove_file(tmp.path().join("t10k-labels-idx1-ubyte.gz")).unwrap();
    let e = format!("{:#}", load_mnist(tmp.path()).unwrap_err());
    assert!(
        e.contains("no t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz"),
        "{e}"
    );
}

/// Issue 9, fault 7: every data set is read plain or gzip, by content.
#[test]
fn digits_and_iris_read_plain_or_gzip() {
    let tmp = tempfile::tempdir().unwrap();
    let gz = read_maybe_gz(&shipped_data_dir().join("digits.csv.gz")).unwrap();
    std::fs::write(tmp.path().join("digits.csv"), &gz).unwrap();
    let plain = load_digits(tmp.path(), 1).unwrap();
    let shipped = load_digits(&shipped_data_dir(), 1).unwrap();
    assert_eq!(plain.test.labels, shipped.test.labels);
    // Iris compressed under the plain name is still read.
    let iris = std::fs::read(shipped_data_dir().join("iris.csv")).unwrap();
    let f = std::fs::File::create(tmp.path().join("iris.csv")).unwrap();
    let mut e = flate2::write::GzEncoder::new(f, flate2::Compression::fast());
    e.write_all(&iris).unwrap();
    e.finish().unwrap();
    assert_eq!(
        load_iris(tmp.path(), 1).unwrap().test.labels,
        load_iris(&shipped_data_dir(), 1).unwrap().test.labels
    );
    let e = format!("{:#}", load_iris(&tmp.path().join("none"), 1).unwrap_err());
    assert!(
        e.contains("no iris.csv or iris.csv.gz (plain or gzip)"),
        "{e}"
    );
}

#[test]
fn shipped_iris_and_digits_load() {
    let s = load_iris(&shipped_data_dir(), 1).unwrap();
    assert_eq!(
        (
            s.train.len(),
            s.test.len(),
            s.train.features,
            s.train.classes
        ),
        (120, 30, 4, 3)
    );
    // Seeds 1-5 test every Iris sample exactly once.
    let mut tested = Vec::new();
    for seed in 1..=5 {
        let s = load_iris(&shipped_data_dir(), seed).unwrap();
        assert_eq!((s.train.len(), s.test.len()), (120, 30));
        tested.extend(
            s.test
                .x
                .chunks(4)
                .map(|r| r.iter().map(|v| v.to_bits()).collect::<Vec<_>>()),
        );
    }
    let all = load_iris(&shipped_data_dir(), 1).unwrap();
    let mut every: Vec<Vec<u32>> = all
        .train
        .x
        .chunks(4)
        .chain(all.test.x.chunks(4))
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    tested.sort();
    every.sort();
    assert_eq!(tested, every);
    let s = load_digits(&shipped_data_dir(), 1).unwrap();
    assert_eq!(s.train.len() + s.test.len(), 1797);
    assert_eq!((s.train.features, s.train.classes), (64, 10));
}

#[test]
fn csv_errors_name_line() {
    let e = parse_iris("3,2,a,b\n1,2,0\n1,x,1\n", "iris.csv")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "iris.csv line 3: \"x\" is not a number");
    let e = parse_iris("2,2,a,b\n1,2,0\n1,2,5\n", "iris.csv")
        .unwrap_err()
        .to_string();
    assert_eq!(e, "iris.csv line 3: class 5 is out of range 0..=1");
    let e = parse_iris("3,2,a,b\n1,2,0\n1,2,1\n", "iris.csv")
        .unwrap_err()
        .to_string();
    assert!(e.contains("promises 3 samples but the file has 2"), "{e}");
    let e = parse_digits("1,2,3\n", "digits.csv")
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 1: 3 fields, expected 65"), "{e}");
}

#[test]
fn normalizers() {
    let d = Dataset {
        features: 2,
        classes: 2,
        x: vec![0.0, 2.0, 4.0, 6.0],
        labels: vec![0, 1],
    };
    let m = Normalizer::fit(Normalize::Max, &d).apply(&d);
    assert_eq!(m.x, vec![0.0, 2.0 / 6.0, 4.0 / 6.0, 1.0]);
    let z = Normalizer::fit(Normalize::Zscore, &d).apply(&d);
    assert_eq!(z.x, vec![-1.0, -1.0, 1.0, 1.0]);
}
