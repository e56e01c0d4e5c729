use rumbo_domain::Problem;

/// A file that cannot be imported, with every problem found in it. Readers collect problems
/// rather than stop at the first, so that one upload shows everything to fix; the whole file is
/// refused, so nothing is half-imported.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{} problem(s) in the file; nothing was imported", problems.len())]
pub struct Rejected {
    pub problems: Vec<Problem>,
}

impl Rejected {
    pub fn one(location: impl Into<String>, problem: impl ToString) -> Rejected {
        Rejected {
            problems: vec![Problem::new(location, problem)],
        }
    }
}

/// Problems found so far. A file broken on every row would otherwise produce a list as long as
/// the file; after [`Problems::MAX`] the rest are counted, not listed.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    listed: Vec<Problem>,
    more: usize,
}

impl Problems {
    pub const MAX: usize = 200;

    pub fn push(&mut self, location: impl Into<String>, problem: impl ToString) {
        if self.listed.len() < Self::MAX {
            self.listed.push(Problem::new(location, problem));
        } else {
            self.more += 1;
        }
    }

    /// Problems listed and counted so far.
    pub fn count(&self) -> usize {
        self.listed.len() + self.more
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// `Ok(value)` when nothing was found, the rejection otherwise.
    pub fn finish<T>(mut self, value: T) -> Result<T, Rejected> {
        if self.listed.is_empty() {
            return Ok(value);
        }
        if self.more > 0 {
            self.listed.push(Problem::new(
                "file",
                format!("and {} more problem(s) not listed", self.more),
            ));
        }
        Err(Rejected { problems: self.listed })
    }
}

/// The text of an uploaded file: UTF-8, without a byte-order mark, not empty. Anything else is
/// refused with where the first offending byte is, since a spreadsheet saved in the wrong
/// encoding would otherwise import with mangled names.
pub fn utf8(bytes: &[u8]) -> Result<&str, Rejected> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Rejected::one(
            "byte 0",
            "the file is UTF-16 text; save it as UTF-8 (in Excel: \"CSV UTF-8\") and try again",
        ));
    }
    let (skipped, body) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    let text = std::str::from_utf8(body).map_err(|e| {
        let offset = e.valid_up_to();
        let line = body[..offset].iter().filter(|b| **b == b'\n').count() + 1;
        Rejected::one(
            format!("line {line}, byte {}", offset + skipped),
            "the file is not UTF-8 text; save it as UTF-8 (in Excel: \"CSV UTF-8\") and try again",
        )
    })?;
    if text.trim().is_empty() {
        return Err(Rejected::one("file", "the file is empty"));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_utf8_bytes_are_located() {
        let bytes = b"pcode,name_es\nCO54,Norte de Santander\nCO05,Antioqu\xeda\n";
        let err = utf8(bytes).expect_err("latin-1");
        assert_eq!(err.problems[0].location, "line 3, byte 50");
        assert!(err.problems[0].problem.contains("UTF-8"));
    }

    #[test]
    fn bom_empty_and_utf16_files() {
        assert_eq!(utf8(b"\xEF\xBB\xBFpcode").expect("bom stripped"), "pcode");
        assert_eq!(utf8(b"").expect_err("empty").problems[0].problem, "the file is empty");
        assert_eq!(
            utf8(b" \n\r\n").expect_err("blank").problems[0].problem,
            "the file is empty"
        );
        assert!(
            utf8(b"\xFF\xFEp\0").expect_err("utf-16").problems[0]
                .problem
                .contains("UTF-16")
        );
        assert_eq!(
            utf8(b"\xEF\xBB\xBFab\xff").expect_err("bad").problems[0].location,
            "line 1, byte 5"
        );
    }

    #[test]
    fn long_lists_of_problems_are_cut() {
        let mut problems = Problems::default();
        for i in 0..250 {
            problems.push(format!("row {i}"), "bad");
        }
        let err = problems.finish(()).expect_err("rejected");
        assert_eq!(err.problems.len(), Problems::MAX + 1);
        assert!(err.problems[Problems::MAX].problem.contains("50 more"));
    }
}
