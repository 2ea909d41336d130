//! Aligned text columns for the client commands' tables: columns are separated by two spaces and padded
//! to the widest cell; the last column is not padded. [`Table`] knows every row before it writes;
//! [`Stream`] writes each row as it comes and widens a column when a cell needs it.

use std::io::{self, Write};

/// A table whose rows are all known before it is written.
#[derive(Debug, Clone, Default)]
pub struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with this header row.
    pub fn new(header: &[&str]) -> Self {
        Self {
            rows: vec![header.iter().map(|h| (*h).to_owned()).collect()],
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// The number of rows after the header.
    pub fn len(&self) -> usize {
        self.rows.len() - 1
    }

    /// True when only the header is there.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the header and the rows, aligned.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut widths = Vec::new();
        for row in &self.rows {
            grow(&mut widths, row);
        }
        for row in &self.rows {
            line(out, &widths, row)?;
        }
        Ok(())
    }
}

/// A table written one row at a time, for output that never ends (`--follow`). Columns start at the given
/// widths and only widen, so rows stay aligned with the ones after them.
#[derive(Debug, Clone)]
pub struct Stream {
    header: Vec<String>,
    widths: Vec<usize>,
    started: bool,
}

impl Stream {
    /// A table with this header and these starting widths (a width below its header's is raised to it).
    pub fn new(header: &[&str], widths: &[usize]) -> Self {
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        let mut widths = widths.to_vec();
        grow(&mut widths, &header);
        Self {
            header,
            widths,
            started: false,
        }
    }

    /// Writes `row`, and the header before the first row.
    pub fn write(&mut self, out: &mut dyn Write, row: &[String]) -> io::Result<()> {
        if !self.started {
            self.started = true;
            line(out, &self.widths, &self.header)?;
        }
        grow(&mut self.widths, row);
        line(out, &self.widths, row)
    }
}

fn width(cell: &str) -> usize {
    cell.chars().count()
}

fn grow(widths: &mut Vec<usize>, row: &[String]) {
    if widths.len() < row.len() {
        widths.resize(row.len(), 0);
    }
    for (w, cell) in widths.iter_mut().zip(row) {
        *w = (*w).max(width(cell));
    }
}

fn line(out: &mut dyn Write, widths: &[usize], row: &[String]) -> io::Result<()> {
    let mut text = String::new();
    for (i, cell) in row.iter().enumerate() {
        if i + 1 == row.len() {
            text.push_str(cell);
        } else {
            text.push_str(cell);
            let pad = widths[i] - width(cell) + 2;
            text.extend(std::iter::repeat_n(' ', pad));
        }
    }
    writeln!(out, "{}", text.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    #[test]
    fn columns_align_on_the_widest_cell_and_the_last_is_not_padded() {
        let mut table = Table::new(&["A", "LONGER", "LAST"]);
        table.push(row(&["wide cell", "x", "tail"]));
        table.push(row(&["y", "→ z", ""]));
        let mut out = Vec::new();
        table.write(&mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "A          LONGER  LAST\nwide cell  x       tail\ny          → z\n"
        );
    }

    #[test]
    fn a_stream_widens_a_column_for_later_rows() {
        let mut stream = Stream::new(&["A", "B"], &[3, 1]);
        let mut out = Vec::new();
        stream.write(&mut out, &row(&["1", "x"])).unwrap();
        stream.write(&mut out, &row(&["12345", "y"])).unwrap();
        stream.write(&mut out, &row(&["1", "z"])).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "A    B\n1    x\n12345  y\n1      z\n"
        );
    }
}
