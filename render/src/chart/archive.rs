//! Reading a chart `.tgz`: every entry sits under one top folder, which is stripped.

use std::collections::BTreeMap;
use std::io::Read;

use flate2::read::GzDecoder;

use super::Error;

/// The largest file a chart may hold; Helm's own limit for a chart archive is far above any real file.
const MAX_FILE: u64 = 64 << 20;

/// Unpacks a gzip tar into paths relative to its top folder.
pub fn untar(bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>, Error> {
    let bad = |e: std::io::Error| Error::Archive(format!("not a readable gzip tar: {e}"));
    let mut archive = tar::Archive::new(GzDecoder::new(bytes));
    let mut files = BTreeMap::new();
    let mut top: Option<String> = None;
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(bad)?
            .to_string_lossy()
            .replace('\\', "/");
        let path = path.trim_start_matches("./");
        let Some((first, rest)) = path.split_once('/') else {
            return Err(Error::Archive(format!(
                "{path:?} is not inside the chart's top folder"
            )));
        };
        match &top {
            None => top = Some(first.to_owned()),
            Some(t) if t != first => {
                return Err(Error::Archive(format!(
                    "entries under both {t:?} and {first:?}; a chart has one top folder"
                )));
            }
            Some(_) => {}
        }
        if rest.split('/').any(|p| p == "..") {
            return Err(Error::Archive(format!("{path:?} leaves the chart")));
        }
        let mut data = Vec::new();
        (&mut entry)
            .take(MAX_FILE + 1)
            .read_to_end(&mut data)
            .map_err(bad)?;
        if data.len() as u64 > MAX_FILE {
            return Err(Error::Archive(format!(
                "{path:?} is larger than {MAX_FILE} bytes"
            )));
        }
        files.insert(rest.to_owned(), data);
    }
    if files.is_empty() {
        return Err(Error::Archive("the archive holds no files".into()));
    }
    Ok(files)
}
