//! Source files as the compiler sees them: an id, a display path and the text. The
//! compiler does no IO; the CLI and the language server read files and hand over
//! bytes or text.

mod decode;
mod line_index;

pub use decode::{MAX_FILE_SIZE, Undecodable, check_size, decode};
pub use line_index::{LineCol, LineIndex};

use std::sync::Arc;

/// Identifies a file among the files of one compilation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as the user should read it in a diagnostic (relative where possible).
    pub path: String,
    pub text: Arc<str>,
    /// Built when a diagnostic first needs a line and column: a fleet with no
    /// problems never pays for it.
    line_index: Arc<std::sync::OnceLock<LineIndex>>,
}

impl SourceFile {
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }
}

/// The files of one compilation, by id.
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: std::collections::BTreeMap<FileId, SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    /// Adds a file under the next free id.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let id = FileId(self.files.keys().next_back().map_or(0, |last| last.0 + 1));
        self.insert(id, path, text);
        id
    }

    /// Adds (or replaces) the file with a given id.
    pub fn insert(&mut self, id: FileId, path: impl Into<String>, text: impl Into<Arc<str>>) {
        let text = text.into();
        let line_index = Arc::default();
        self.files.insert(
            id,
            SourceFile {
                id,
                path: path.into(),
                text,
                line_index,
            },
        );
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        self.files
            .get(&id)
            .expect("a diagnostic names a file of its source map")
    }

    pub fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.values()
    }
}
