//! `rumbo clk encode` and `rumbo clk link`: privacy-preserving linkage from the command line.
//!
//! `encode` runs at an organisation, on its own machine, with the secret the organisations
//! share: it reads the people (the de-duplication CSV) and writes only pseudonyms and Bloom
//! filters. `link` runs wherever the encodings are gathered (Rumbo, or anyone): it never needs
//! the secret and never sees a name.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use rumbo_domain::Problem;
use rumbo_domain::clk::{Encoder, OrganisationSet, link};
use rumbo_domain::parallel;
use rumbo_io::clk::{OverlapRow, PairRow, read_encodings, read_people, write_encodings, write_overlaps, write_pairs};

#[derive(Debug, Subcommand)]
pub enum ClkCommand {
    /// Encode an organisation's people into cryptographic linkage keys (run it on the
    /// organisation's own machine). The output holds a pseudonym and a filter per person: no
    /// name, date or document.
    Encode {
        /// A file holding the secret the organisations share (at least 16 bytes). Rumbo never
        /// receives it.
        #[arg(long)]
        secret_file: PathBuf,
        /// The people: CSV with id, given_names, first_surname and optionally second_surname,
        /// birth_date (YYYY-MM-DD), sex, document.
        #[arg(long)]
        input: PathBuf,
        /// Where to write `pseudonym,clk`. An existing file is never replaced.
        #[arg(long, short)]
        output: PathBuf,
    },
    /// Link the encodings of several organisations: how many people each pair of them both
    /// registered, and the matched pseudonymous pairs. Each file's name before its first dot
    /// names the organisation (`unicef.clks.csv` → `unicef`).
    Link {
        /// Two or more encoding files (`pseudonym,clk`).
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// The least Dice coefficient of a match, between 0 and 1.
        #[arg(long, default_value_t = 0.8)]
        threshold: f64,
        /// Where to write the overlaps (one row per pair of organisations).
        #[arg(long)]
        overlaps_out: Option<PathBuf>,
        /// Where to write the matched pairs of pseudonyms.
        #[arg(long)]
        pairs_out: Option<PathBuf>,
    },
}

pub fn run(command: ClkCommand) -> anyhow::Result<()> {
    match command {
        ClkCommand::Encode {
            secret_file,
            input,
            output,
        } => encode(&secret_file, &input, &output),
        ClkCommand::Link {
            files,
            threshold,
            overlaps_out,
            pairs_out,
        } => link_files(&files, threshold, overlaps_out.as_deref(), pairs_out.as_deref()),
    }
}

/// Problems as an error listing each on its own line.
fn refused(file: &Path, problems: &[Problem]) -> anyhow::Error {
    let mut text = format!("{}: nothing was written", file.display());
    for problem in problems {
        text.push_str(&format!("\n  {problem}"));
    }
    anyhow::anyhow!(text)
}

fn create_new(path: &Path) -> anyhow::Result<BufWriter<File>> {
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {} (an existing file is never replaced)", path.display()))?;
    Ok(BufWriter::new(file))
}

fn encode(secret_file: &Path, input: &Path, output: &Path) -> anyhow::Result<()> {
    let secret =
        std::fs::read(secret_file).with_context(|| format!("cannot read the secret file {}", secret_file.display()))?;
    let encoder = Encoder::new(&secret).with_context(|| secret_file.display().to_string())?;
    let bytes = std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
    let started = Instant::now();
    let people = read_people(&bytes).map_err(|rejected| refused(input, &rejected.problems))?;
    let rows = parallel::map(&people, 2_000, |(id, person)| {
        (encoder.pseudonym(id), encoder.encode(person))
    });
    write_encodings(&rows, create_new(output)?)?;
    eprintln!(
        "{} people encoded into {} in {:.2} s",
        rows.len(),
        output.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The organisation a file holds: its name up to the first dot.
fn organisation_of(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.split('.').next().unwrap_or_default().to_owned()
}

fn link_files(
    files: &[PathBuf],
    threshold: f64,
    overlaps_out: Option<&Path>,
    pairs_out: Option<&Path>,
) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&threshold) {
        anyhow::bail!("--threshold must be between 0 and 1, not {threshold}");
    }
    let mut sets = Vec::new();
    for path in files {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let rows = read_encodings(&bytes).map_err(|rejected| refused(path, &rejected.problems))?;
        let organisation = organisation_of(path);
        if sets.iter().any(|s: &OrganisationSet| s.organisation == organisation) {
            anyhow::bail!("two files name the organisation '{organisation}'; rename one");
        }
        let (pseudonyms, clks) = rows.into_iter().unzip();
        sets.push(OrganisationSet {
            organisation,
            pseudonyms,
            clks,
        });
    }
    let started = Instant::now();
    let linked = link(&sets, threshold);
    let seconds = started.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let per_second = linked.comparisons as f64 / seconds.max(1e-9);
    eprintln!(
        "{} comparisons in {seconds:.3} s on {cores} core(s): {:.0} per second, {:.0} per second per core",
        linked.comparisons,
        per_second,
        per_second / cores as f64
    );
    let overlaps: Vec<OverlapRow> = linked
        .overlaps
        .iter()
        .map(|o| OverlapRow {
            organisation_a: sets[o.left].organisation.clone(),
            organisation_b: sets[o.right].organisation.clone(),
            records_a: o.left_records,
            records_b: o.right_records,
            matched: o.matched,
        })
        .collect();
    for o in &overlaps {
        println!(
            "{} ({}) and {} ({}): {} people in both",
            o.organisation_a, o.records_a, o.organisation_b, o.records_b, o.matched
        );
    }
    if let Some(path) = overlaps_out {
        write_overlaps(&overlaps, create_new(path)?)?;
    }
    if let Some(path) = pairs_out {
        let pairs: Vec<PairRow> = linked
            .pairs
            .iter()
            .map(|p| PairRow {
                organisation_a: sets[p.left].organisation.clone(),
                pseudonym_a: sets[p.left].pseudonyms[p.left_record].clone(),
                organisation_b: sets[p.right].organisation.clone(),
                pseudonym_b: sets[p.right].pseudonyms[p.right_record].clone(),
                dice: p.dice,
            })
            .collect();
        write_pairs(&pairs, create_new(path)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEOPLE: &str = "id,organisation,given_names,first_surname,second_surname,birth_date,sex,document,nationality
A-1,ORG,María José,González,Pérez,1987-03-05,female,V-12.345.678,VEN
A-2,ORG,Luis Alberto,Ramírez,Castillo,1992-11-02,male,V-20.987.654,VEN
";
    const OTHER: &str = "id,given_names,first_surname,second_surname,birth_date,sex,document
B-9,MARIA,GONZALEZ,PEREZ,1987-03-05,female,12345678
B-8,Yusmary,Torres,,2001-01-09,female,V-27.111.222
";

    #[test]
    fn no_plaintext_leaves_the_organisation_and_the_links_are_found() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "correct horse battery staple\n")?;
        let write = |name: &str, text: &str| -> anyhow::Result<PathBuf> {
            let path = dir.path().join(name);
            std::fs::write(&path, text)?;
            Ok(path)
        };
        let (a_in, b_in) = (write("a.csv", PEOPLE)?, write("b.csv", OTHER)?);
        let (a_out, b_out) = (dir.path().join("acnur.clks.csv"), dir.path().join("hias.clks.csv"));
        encode(&secret, &a_in, &a_out)?;
        encode(&secret, &b_in, &b_out)?;
        assert!(
            encode(&secret, &a_in, &a_out).is_err(),
            "an existing file is never replaced"
        );

        // Every name, document, date and id of the input, in any spelling, is absent.
        for (input, output) in [(PEOPLE, &a_out), (OTHER, &b_out)] {
            let written = std::fs::read_to_string(output)?.to_lowercase();
            let folded = rumbo_domain::r4v::fields::fold(&written);
            for line in input.lines().skip(1) {
                for value in line.split(',').filter(|v| v.len() >= 3 && *v != "ORG" && *v != "VEN") {
                    let value = value.to_lowercase();
                    assert!(!written.contains(&value), "{value} leaked");
                    assert!(
                        !folded.contains(&rumbo_domain::r4v::fields::fold(&value)),
                        "{value} leaked"
                    );
                }
            }
            for document in ["12345678", "12.345.678", "20987654", "27111222"] {
                assert!(!written.contains(document));
            }
        }

        let (overlaps, pairs) = (dir.path().join("o.csv"), dir.path().join("p.csv"));
        link_files(&[a_out.clone(), b_out.clone()], 0.8, Some(&overlaps), Some(&pairs))?;
        assert_eq!(
            std::fs::read_to_string(&overlaps)?,
            "organisation_a,organisation_b,records_a,records_b,matched\nacnur,hias,2,2,1\n"
        );
        let pairs = std::fs::read_to_string(&pairs)?;
        let encoder = Encoder::new(b"correct horse battery staple")?;
        let expected = format!("acnur,{},hias,{},", encoder.pseudonym("A-1"), encoder.pseudonym("B-9"));
        assert!(
            pairs.lines().nth(1).is_some_and(|l| l.starts_with(&expected)),
            "{pairs}"
        );
        assert_eq!(pairs.lines().count(), 2);
        Ok(())
    }

    #[test]
    fn bad_files_are_refused_with_where() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let secret = dir.path().join("secret");
        std::fs::write(&secret, "short")?;
        let input = dir.path().join("people.csv");
        std::fs::write(&input, PEOPLE)?;
        let err = encode(&secret, &input, &dir.path().join("x.csv")).expect_err("short secret");
        assert!(format!("{err:#}").contains("at least 16"));
        let bad = dir.path().join("bad.clks.csv");
        std::fs::write(&bad, "pseudonym,clk\nab,????\n")?;
        let err = link_files(&[bad.clone(), bad], 0.8, None, None).expect_err("bad base64");
        assert!(err.to_string().contains("row 2, column clk"), "{err}");
        Ok(())
    }
}
