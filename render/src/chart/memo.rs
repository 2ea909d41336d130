//! What rendering works out from a chart's own files, kept with the chart for its next render: the parsed
//! CRDs and the parsed templates. Every entry keeps a copy of the input it came from and is used only
//! while the chart's files still equal it, so changing a loaded chart's public fields is safe.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::File;
use crate::manifest::{self, Resource};
use crate::template::Parsed;

/// The memo of one chart (not of its subcharts, which have their own). A clone starts empty; it compares
/// equal to any other, so it never changes whether two charts are equal.
#[derive(Default)]
pub(crate) struct Memo {
    crds: Mutex<Option<Crds>>,
    templates: Mutex<Templates>,
}

/// The CRDs parsed under one path.
struct Crds {
    path: String,
    files: Vec<File>,
    parsed: Result<Vec<Arc<Resource>>, manifest::Error>,
}

/// Templates parsed with one set of function names, by full template name.
#[derive(Default)]
struct Templates {
    funcs: Vec<String>,
    files: HashMap<String, (Vec<u8>, Parsed)>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Memo {
    /// Whether [`Memo::crds`] has `files` parsed under `path` already.
    pub(crate) fn has_crds(&self, path: &str, files: &[File]) -> bool {
        lock(&self.crds)
            .as_ref()
            .is_some_and(|m| m.path == path && m.files == files)
    }

    /// The CRDs `files` hold, as `manifest::parse_file` gives them with sources under `path`: parsed
    /// once, then shared while `path` and `files` stay the same.
    pub(crate) fn crds(
        &self,
        path: &str,
        files: &[File],
    ) -> Result<Vec<Arc<Resource>>, manifest::Error> {
        let mut memo = lock(&self.crds);
        if let Some(m) = memo.as_ref()
            && m.path == path
            && m.files == files
        {
            return m.parsed.clone();
        }
        let mut parsed = Ok(Vec::new());
        for file in files {
            let source = format!("{path}/{}", file.name);
            let text = String::from_utf8_lossy(&file.data);
            match (&mut parsed, manifest::parse_file(&source, &text)) {
                (Ok(all), Ok(more)) => all.extend(more.into_iter().map(Arc::new)),
                (_, Err(e)) => {
                    parsed = Err(e);
                    break;
                }
                (Err(_), Ok(_)) => unreachable!("stops at the first error"),
            }
        }
        let m = memo.insert(Crds {
            path: path.to_owned(),
            files: files.to_vec(),
            parsed,
        });
        m.parsed.clone()
    }

    /// The template file `name` with contents `data`, parsed by `parse` when the memo has no parse of
    /// the same contents with the same function names (`funcs`, sorted). Failed parses are not kept.
    pub(crate) fn template<E>(
        &self,
        funcs: &[&str],
        name: &str,
        data: &[u8],
        parse: impl FnOnce() -> Result<Parsed, E>,
    ) -> Result<Parsed, E> {
        let mut memo = lock(&self.templates);
        if !memo
            .funcs
            .iter()
            .map(String::as_str)
            .eq(funcs.iter().copied())
        {
            memo.funcs = funcs.iter().map(|f| (*f).to_owned()).collect();
            memo.files.clear();
        }
        if let Some((kept, parsed)) = memo.files.get(name)
            && kept == data
        {
            return Ok(parsed.clone());
        }
        let parsed = parse()?;
        memo.files
            .insert(name.to_owned(), (data.to_vec(), parsed.clone()));
        Ok(parsed)
    }
}

impl Clone for Memo {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl PartialEq for Memo {
    fn eq(&self, _: &Memo) -> bool {
        true
    }
}

impl fmt::Debug for Memo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Memo")
    }
}
