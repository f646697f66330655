//! The byte-level pre-scan: decides from a file's words, before parsing, whether any
//! rule can fire on it, so files that cannot are not parsed at all (parsing is most of
//! the analysis time).
//!
//! Architecture invariant: every Python rule fires only on code that has one of the
//! words below: a loop (`for`, `while`), an `async def`, a request handler (a decorator,
//! a `View`/`Mixin` class, a `request` parameter, a response object a handler returns:
//! `…Response`, `send_file`, `make_response`), or a resource acquisition the
//! connection-leak rule knows (`open`, `connect`, `socket`, `FTP`, `SMTP`/`LMTP`, `IMAP`,
//! `POP3`, `GzipFile`, `…ession`, `…Client`, `getconn`, `acquire`, `…Pool…`). A rule that can
//! fire without any of them must add its word
//! here; `prescan_and_full_parse_find_the_same` checks the fixtures tree both ways.
//! JavaScript and TypeScript are always parsed: their loops (`.map(`, `.forEach(`),
//! `async`/`await` and exports are in nearly every file, so a pre-scan would skip
//! almost nothing.

use crate::lang::Language;

/// Words that must appear as whole words (keywords and the handler parameter).
const PYTHON_WORDS: &[&str] = &["for", "while", "async", "request"];

/// Text that may appear anywhere inside a word (class bases, callee segments).
const PYTHON_PARTS: &[&str] = &[
    "View",
    "Mixin",
    "open",
    "connect",
    "socket",
    "FTP",
    "ession",
    "Client",
    "getconn",
    "acquire",
    "Pool",
    "Response",
    "send_file",
    "make_response",
    "MTP",
    "IMAP",
    "POP3",
    "GzipFile",
];

/// Whether a rule may find something in `text`; `false` only when none can.
pub(crate) fn may_find(language: Language, text: &str) -> bool {
    if !language.is_python() {
        return true;
    }
    let bytes = text.as_bytes();
    // Decorators: route decorators, `@api_view`, `@action`.
    if bytes.contains(&b'@') {
        return true;
    }
    // Needles are ASCII identifier characters, so each occurrence lies within one run of
    // them: checking the runs finds exactly what a search of the whole text would.
    bytes
        .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
        .filter(|word| word.len() >= 3)
        .any(|word| {
            PYTHON_WORDS.iter().any(|w| w.as_bytes() == word)
                || PYTHON_PARTS
                    .iter()
                    .any(|part| word.windows(part.len()).any(|w| w == part.as_bytes()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_python_is_skipped_and_anything_with_a_trigger_is_not() {
        let quiet = "from django.db import models\n\nclass Book(models.Model):\n    title = models.CharField(max_length=200)\n\n    def __str__(self):\n        return self.title\n";
        assert!(!may_find(Language::Python, quiet));
        for trigger in [
            "for b in books:\n    pass\n",
            "[b for b in books]\n",
            "while True:\n    pass\n",
            "async def f():\n    pass\n",
            "@app.get('/')\ndef f():\n    pass\n",
            "class V(View):\n    pass\n",
            "def index(request):\n    pass\n",
            "def f():\n    conn = psycopg2.connect(dsn)\n",
            "def f():\n    s = requests.Session()\n",
            "def f():\n    f = open(path)\n",
            "def f():\n    smtp = smtplib.SMTP(host)\n",
            "def f():\n    out = gzip.GzipFile(fileobj=buf)\n",
            "def export():\n    return FileResponse(build_pdf_report())\n",
        ] {
            assert!(may_find(Language::Python, trigger), "{trigger}");
        }
        // Words only count whole: `format` and `before` are not loops.
        assert!(!may_find(Language::Python, "x = '{}'.format(before)\n"));
        assert!(may_find(Language::JavaScript, "export const x = 1\n"));
    }

    /// `analyze_text` (with the pre-scan) or `analyze_parsed` (without).
    type Analyze = fn(
        &str,
        Language,
        &str,
        &crate::Options,
        &mut crate::lang::Parsers,
        Option<&crate::rules::ProjectIndex>,
    ) -> (Vec<crate::Finding>, usize);

    /// Each top-level statement of a Python file (decorators kept with what they
    /// decorate), prefixed with the file's import lines.
    fn python_blocks(text: &str) -> Vec<String> {
        let imports: String = text
            .lines()
            .filter(|l| l.starts_with("import ") || l.starts_with("from "))
            .map(|l| format!("{l}\n"))
            .collect();
        let mut blocks: Vec<String> = Vec::new();
        let mut current = String::new();
        let mut decorated = false;
        for line in text.lines() {
            let starts_block = line.starts_with(|c: char| !c.is_whitespace())
                && !line.starts_with([')', ']', '}'])
                && !decorated;
            if starts_block && !current.is_empty() {
                blocks.push(format!("{imports}{current}"));
                current.clear();
            }
            if !line.trim().is_empty() {
                decorated = line.starts_with('@');
            }
            current.push_str(line);
            current.push('\n');
        }
        blocks.push(format!("{imports}{current}"));
        blocks
    }

    /// The pre-scan must never change what is found: every file of the fixtures tree
    /// (test-named files included) analyzed with it and with a full parse, findings and
    /// suppression counts compared.
    #[test]
    fn prescan_and_full_parse_find_the_same() {
        let options = crate::Options::default();
        let (mut files, mut skipped, mut findings) = (0, 0, 0);
        // The fixtures, whole and block by block; the corpus of real code, whole.
        for (tree, by_block) in [("tests/fixtures", true), ("tests/corpus", false)] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(tree);
            // With the tree's cross-file index, as `analyze` runs the rules.
            let project = crate::project_index(&root, &options).unwrap();
            let mut texts = Vec::new();
            let mut stack = vec![root.clone()];
            while let Some(dir) = stack.pop() {
                for entry in std::fs::read_dir(&dir).unwrap() {
                    let path = entry.unwrap().path();
                    if path.is_dir() {
                        stack.push(path);
                        continue;
                    }
                    let Some(language) = Language::from_path(&path) else {
                        continue;
                    };
                    let text = std::fs::read_to_string(&path).unwrap();
                    let name = path
                        .strip_prefix(&root)
                        .unwrap()
                        .to_string_lossy()
                        .to_string();
                    // The whole file, then each top-level block alone with the file's
                    // imports: most blocks hold a single trigger, so a word missing from the
                    // pre-scan shows even where another word of the file would hide it.
                    if by_block && language.is_python() {
                        for block in python_blocks(&text) {
                            texts.push((name.clone(), language, block));
                        }
                    }
                    texts.push((name, language, text));
                }
            }
            // The texts split over the machine's cores, each thread with its own parsers.
            let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
            let chunk = texts.len().div_ceil(threads).max(1);
            let counts: Vec<(usize, usize, usize)> = std::thread::scope(|scope| {
                let workers: Vec<_> = texts
                    .chunks(chunk)
                    .map(|part| {
                        let (options, project) = (&options, &project);
                        scope.spawn(move || {
                            let mut parsers = crate::lang::Parsers::new();
                            let (mut files, mut skipped, mut findings) = (0, 0, 0);
                            for (name, language, text) in part {
                                let mut run = |analyze: Analyze| {
                                    analyze(
                                        name,
                                        *language,
                                        text,
                                        options,
                                        &mut parsers,
                                        Some(project),
                                    )
                                };
                                let scanned = run(crate::analyze_text);
                                let full = run(crate::analyze_parsed);
                                assert_eq!(scanned, full, "{name}:\n{text}");
                                files += 1;
                                findings += full.0.len();
                                skipped += usize::from(!may_find(*language, text));
                            }
                            (files, skipped, findings)
                        })
                    })
                    .collect();
                workers.into_iter().map(|w| w.join().unwrap()).collect()
            });
            for (f, s, n) in counts {
                files += f;
                skipped += s;
                findings += n;
            }
        }
        assert!(
            files > 100 && findings > 50,
            "{files} texts, {findings} findings"
        );
        // Not vacuous: some texts are skipped.
        assert!(skipped > 0, "the pre-scan skipped none of {files} texts");
    }
}
