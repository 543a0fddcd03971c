//! `fleet build`: check the fleet, generate the GitOps repository, and write it
//! under `--out` (or as one YAML stream with `--stdout`). Nothing is written when
//! the fleet has errors or when the output folder holds something the build must
//! not touch (see `crate::output`).

use crate::cli::OutputArgs;
use crate::exit_status::ExitStatus;
use crate::output::{
    BuildState, Change, FreshRoot, OWNED_LIST, OwnedFiles, Stamp, can_fill, create_folders,
    fingerprint, leftover_staging_folders, plan, staging_folder, write_atomically,
    write_new_atomically,
};
use crate::report::{Reporter, plural};
use anyhow::{Context, Result};
use fleet_compiler::emit::admission::admission_check;
use fleet_compiler::emit::crossplane::claims;
use fleet_compiler::emit::repository::{FileSink, GeneratedFile, generate, repository};
use fleet_compiler::eval::declarations::evaluate;
use fleet_lsp::compilation::Compilation;
use std::io::Write;
use std::path::{Path, PathBuf};

pub struct Options {
    pub out: Option<PathBuf>,
    pub stdout: bool,
    pub check: bool,
    pub force: bool,
    pub deny_warnings: bool,
}

pub fn run(path: &Path, options: Options, output: OutputArgs) -> Result<ExitStatus> {
    let compilation = Compilation::open(path)?;
    // A rebuild into a folder whose last build was clean, with the same inputs
    // and nothing changed since: nothing to compile, nothing to write.
    let fingerprint = options
        .out
        .as_ref()
        .map(|_| inputs_fingerprint(path, &compilation));
    if let (Some(out), Some(fingerprint)) = (options.out.as_deref(), fingerprint.as_deref())
        && said_unchanged(out, fingerprint, options.check)
    {
        compilation.release_at_exit();
        return Ok(ExitStatus::Success);
    }
    let started = std::time::Instant::now();
    let diagnostics = compilation.diagnostics();
    // A large fleet: say what each step took, on standard error, as it ends.
    let progress = Progress {
        shown: evaluate(&compilation.db, compilation.workspace)
            .model
            .clusters
            .len()
            >= LARGE_FLEET,
        started,
    };
    progress.step("checked the fleet");
    // Whether the build reports anything: only a build that reports nothing
    // leaves a state for the next one to skip with.
    let mut clean = diagnostics.is_empty();
    let mut reporter = Reporter::new(output);
    reporter.emit_all(&diagnostics, &compilation.sources());
    let status = reporter.exit_status(options.deny_warnings);
    if status != ExitStatus::Success {
        reporter.summary("built nothing");
        compilation.release_at_exit();
        return Ok(status);
    }
    // A fleet whose clusters Argo CD cannot learn about builds, with a warning.
    if let Some(warning) = fleet_compiler::emit::argocd::registration_warning(
        &evaluate(&compilation.db, compilation.workspace).model,
    ) {
        clean = false;
        reporter.emit_all(std::slice::from_ref(&warning), &compilation.sources());
        if options.deny_warnings {
            reporter.summary("built nothing");
            compilation.release_at_exit();
            return Ok(ExitStatus::InputErrors);
        }
    }
    // Crossplane needs an account on each cloud the fleet has clusters on.
    let missing_accounts = fleet_compiler::emit::crossplane::accounts::missing_accounts(
        &evaluate(&compilation.db, compilation.workspace).model,
    );
    if !missing_accounts.is_empty() {
        reporter.emit_all(&missing_accounts, &compilation.sources());
        reporter.summary("built nothing");
        compilation.release_at_exit();
        return Ok(ExitStatus::InputErrors);
    }
    // Where the compiler generated the workload, it knows the Pods: every enforced
    // policy is evaluated against them before anything is written (E0417).
    let admission = admission_check(&compilation.db, compilation.workspace);
    progress.step("checked the enforced policies against the generated workloads");
    if !admission.violations.is_empty() {
        let violations: Vec<_> = admission
            .violations
            .iter()
            .map(|violation| violation.diagnostic())
            .collect();
        reporter.emit_all(&violations, &compilation.sources());
        reporter.summary("built nothing");
        compilation.release_at_exit();
        return Ok(ExitStatus::InputErrors);
    }
    // What could not be checked, one line per policy rule and reason.
    let mut not_verified: std::collections::BTreeMap<(&str, Option<&str>, &str), Vec<&str>> =
        std::collections::BTreeMap::new();
    for unverified in &admission.unverified {
        let apps = not_verified
            .entry((
                unverified.policy.as_str(),
                unverified.rule.as_deref(),
                unverified.reason.as_str(),
            ))
            .or_default();
        if !apps.contains(&unverified.app.as_str()) {
            apps.push(&unverified.app);
        }
    }
    clean &= not_verified.is_empty();
    for ((policy, rule, reason), apps) in &not_verified {
        let what = match rule {
            Some(rule) => format!("rule `{rule}` of policy `{policy}`"),
            None => format!("policy `{policy}`"),
        };
        let shown: Vec<String> = apps.iter().take(3).map(|app| format!("`{app}`")).collect();
        let more = match apps.len().saturating_sub(3) {
            0 => String::new(),
            more => format!(" and {more} more"),
        };
        eprintln!(
            "note: {what} not verified for {} ({}{more}): {reason}",
            plural(apps.len(), "app"),
            shown.join(", ")
        );
    }
    if options.stdout {
        // One stream, each file written as it is made (their headers are
        // comments), in the generators' order: the repository's text is never
        // all in memory.
        let stdout = std::io::stdout().lock();
        widen_pipe(&stdout);
        let mut stream = Stream {
            out: std::io::BufWriter::with_capacity(1 << 20, stdout),
            first: true,
            error: None,
        };
        let generated = generate(&compilation.db, compilation.workspace, &mut stream);
        if generated.is_none() {
            // A fleet without a `fleet` declaration was reported above.
            compilation.release_at_exit();
            return Ok(ExitStatus::InputErrors);
        }
        let flushed = match stream.error.take() {
            Some(error) => Err(error),
            None => stream.out.flush(),
        };
        match flushed {
            // The reader stopped reading (`fleet build --stdout | head`): not
            // an error of the build.
            Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
            other => other.context("cannot write standard output")?,
        }
        progress.step("wrote the stream");
        compilation.release_at_exit();
        return Ok(ExitStatus::Success);
    }
    let out = options
        .out
        .as_deref()
        .expect("clap requires --out without --stdout");
    let model = &evaluate(&compilation.db, compilation.workspace).model;
    let counts = format!(
        "{}, {}, {}",
        plural(model.clusters.len(), "cluster"),
        plural(model.apps.len(), "app"),
        plural(model.policies.len(), "policy")
    );
    let relative = output_root(model)?;
    let root = root_in(out, &relative);
    // A first build into a root that does not exist, or is an empty folder:
    // nothing to compare, so no plan; each file written as it is generated,
    // into a folder beside the root moved into place whole (see
    // `fresh_root.rs`).
    if !options.check
        && let Some(staging) = staging_folder(&root)
        && (std::fs::symlink_metadata(&root).is_err() || can_fill(&root, &staging))
    {
        for leftover in leftover_staging_folders(&root) {
            eprintln!(
                "warning: `{}` is left from a build of `{}` that was stopped before it finished: remove it",
                leftover.display(),
                root.display()
            );
        }
        let mut fresh = FreshRoot::begin(&root, staging)?;
        if generate(&compilation.db, compilation.workspace, &mut fresh).is_none() {
            // A fleet without a `fleet` declaration was reported above;
            // dropping `fresh` removes its staging folder.
            compilation.release_at_exit();
            return Ok(ExitStatus::InputErrors);
        }
        let (written, list) = fresh.finish()?;
        let last_write = Some(std::time::Instant::now());
        progress.step(&format!(
            "generated and wrote {}",
            plural(written.len(), "file")
        ));
        eprintln!(
            "{counts}: {} written, 0 unchanged, 0 removed in `{}`",
            plural(written.len(), "file"),
            root.display()
        );
        record_state(
            out,
            fingerprint.as_deref().filter(|_| clean),
            &relative,
            &counts,
            || {
                // The owned files in path order, the owned list last.
                let mut stamps: Vec<(&str, Stamp)> = written
                    .iter()
                    .filter_map(|file| Some((file.path.as_str(), file.stamp?)))
                    .collect();
                if let Some(stamp) = list {
                    stamps.push((OWNED_LIST, stamp));
                }
                stamps
            },
            last_write,
        )?;
        // The process ends here: what the build holds is the system's to free.
        std::mem::forget(written);
        compilation.release_at_exit();
        return Ok(ExitStatus::Success);
    }
    let Some(files) = repository(&compilation.db, compilation.workspace) else {
        // A fleet without a `fleet` declaration was reported above.
        compilation.release_at_exit();
        return Ok(ExitStatus::InputErrors);
    };
    progress.step(&format!("generated {}", plural(files.len(), "file")));
    let rendered: Vec<(String, String)> = files
        .into_iter()
        .map(|file| (file.path, file.text))
        .collect();
    let owned = OwnedFiles::read(&root)?;
    let plan = plan(&root, &rendered, &owned, options.force)?;
    progress.step(&format!(
        "compared them with `{}`: {} to write, {} to remove",
        root.display(),
        plan.changes
            .iter()
            .filter(|change| !matches!(change, Change::Remove(_)))
            .count(),
        plan.changes
            .iter()
            .filter(|change| matches!(change, Change::Remove(_)))
            .count()
    ));
    for refusal in &plan.refusals {
        eprintln!("error: {}", refusal.message());
    }
    if !plan.refusals.is_empty() {
        eprintln!(
            "wrote nothing: {} in `{}`",
            plural(plan.refusals.len(), "file"),
            root.display()
        );
        compilation.release_at_exit();
        return Ok(ExitStatus::InputErrors);
    }
    // A cluster removed from the fleet is not destroyed: say so, and how.
    for change in &plan.changes {
        if let Change::Remove(path) = change
            && let Some(cluster) = claims::cluster_of_claim_path(path)
        {
            eprintln!("warning: {}", claims::removal_notice(cluster));
        }
    }
    if options.check {
        for change in &plan.changes {
            println!("{} {}", change.verb(), change.path());
        }
        let owned_list_changes = plan.owned_after != owned;
        eprintln!(
            "{counts}: {} would change, {} unchanged",
            plural(plan.changes.len(), "file"),
            plan.unchanged
        );
        compilation.release_at_exit();
        return Ok(if plan.changes.is_empty() && !owned_list_changes {
            ExitStatus::Success
        } else {
            ExitStatus::Differences
        });
    }
    let contents: std::collections::HashMap<&str, &str> = rendered
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .collect();
    // Folders first (once each), then the files on every core.
    let folders: std::collections::BTreeSet<&Path> = plan
        .changes
        .iter()
        .filter(|change| !matches!(change, Change::Remove(_)))
        .filter_map(|change| Path::new(change.path()).parent())
        .collect();
    let folders: Vec<&Path> = folders.into_iter().collect();
    create_folders(&root, &folders)?;
    let writes: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|change| !matches!(change, Change::Remove(_)))
        .collect();
    let written = writes.len();
    let outcomes = fleet_compiler::parallel::map_each(&writes, 256, |change| {
        let path = root.join(change.path());
        let text = contents[change.path()].as_bytes();
        match change {
            Change::Add(_) => write_new_atomically(&path, text),
            _ => write_atomically(&path, text),
        }
    });
    // What the build state records of each written file, as it was written.
    let mut stamps: std::collections::HashMap<&str, Stamp> =
        std::collections::HashMap::with_capacity(writes.len());
    for (change, outcome) in writes.iter().zip(outcomes) {
        if let Some(stamp) = Stamp::of_metadata(&outcome?) {
            stamps.insert(change.path(), stamp);
        }
    }
    let mut last_write = (!writes.is_empty()).then(std::time::Instant::now);
    let mut removed = 0;
    for change in &plan.changes {
        if let Change::Remove(path) = change {
            let target = root.join(path);
            std::fs::remove_file(&target)
                .with_context(|| format!("cannot remove `{}`", target.display()))?;
            remove_empty_folders(&root, &target);
            removed += 1;
            last_write = Some(std::time::Instant::now());
        }
    }
    if plan.owned_after != owned || !root.join(OWNED_LIST).exists() {
        let metadata = write_atomically(
            &root.join(OWNED_LIST),
            plan.owned_after.to_text().as_bytes(),
        )?;
        if let Some(stamp) = Stamp::of_metadata(&metadata) {
            stamps.insert(OWNED_LIST, stamp);
        }
        last_write = Some(std::time::Instant::now());
    }
    progress.step("wrote the changes");
    eprintln!(
        "{counts}: {} written, {} unchanged, {} removed in `{}`",
        plural(written, "file"),
        plan.unchanged,
        removed,
        root.display()
    );
    record_state(
        out,
        fingerprint.as_deref().filter(|_| clean),
        &relative,
        &counts,
        || {
            let mut owned: Vec<&str> = plan.owned_after.files.keys().map(String::as_str).collect();
            owned.push(OWNED_LIST);
            BuildState::stamps(out, &relative, &owned, &stamps)
        },
        last_write,
    )?;
    compilation.release_at_exit();
    Ok(ExitStatus::Success)
}

/// Records what a clean build (one with a `fingerprint`) wrote, with the
/// stamps of the files it owns (`owned_stamps`, the owned list last), so that
/// the next build with nothing changed can skip compiling; forgets the last
/// state after any other build.
fn record_state<'a>(
    out: &Path,
    fingerprint: Option<&str>,
    relative: &Path,
    counts: &str,
    owned_stamps: impl FnOnce() -> Vec<(&'a str, Stamp)>,
    last_write: Option<std::time::Instant>,
) -> Result<()> {
    match fingerprint {
        Some(fingerprint) => {
            let stamps = owned_stamps();
            BuildState::record(out, fingerprint, relative, counts, &stamps, last_write);
            Ok(())
        }
        None => BuildState::forget(out),
    }
}

/// The output root: `relative` (the fleet's `output`) inside `out`.
fn root_in(out: &Path, relative: &Path) -> PathBuf {
    if relative.as_os_str().is_empty() || relative == Path::new(".") {
        out.to_path_buf()
    } else {
        out.join(relative)
    }
}

/// The fleet's `output` setting (`.` by default), a folder inside `--out`: one
/// that would lead out of it (`..`, an absolute path) is refused.
fn output_root(model: &fleet_compiler::model::FleetModel) -> Result<PathBuf> {
    let output = model
        .fleet
        .as_ref()
        .and_then(|fleet| {
            fleet
                .value
                .as_record()?
                .get("output")?
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| ".".to_string());
    let relative = PathBuf::from(output.trim_start_matches("./").trim_end_matches('/'));
    let inside = relative.components().all(|component| {
        matches!(
            component,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    if !inside {
        anyhow::bail!(
            "the fleet's `output = \"{output}\"` leads out of the --out folder: write a folder inside it, such as \"deploy\""
        );
    }
    Ok(relative)
}

/// Removes the folders a removal left empty, up to (not including) `root`.
fn remove_empty_folders(root: &Path, removed: &Path) {
    let mut folder = removed.parent();
    while let Some(current) = folder {
        if current == root || !current.starts_with(root) {
            break;
        }
        // Fails (and stops) on a folder that is not empty: nothing else is touched.
        if std::fs::remove_dir(current).is_err() {
            break;
        }
        folder = current.parent();
    }
}

/// When stdout is a pipe (`fleet build --stdout | kubectl apply -f -`), makes
/// its buffer as large as the system lets an unprivileged process have (1 MiB
/// by default, for 64 KiB): a stream of tens of megabytes then wakes the reader
/// and the writer sixteen times less often. Anything else is left as it is.
fn widen_pipe(stdout: &std::io::StdoutLock<'_>) {
    #[cfg(target_os = "linux")]
    {
        let is_pipe = rustix::fs::fstat(stdout).is_ok_and(|stat| {
            rustix::fs::FileType::from_raw_mode(stat.st_mode) == rustix::fs::FileType::Fifo
        });
        if is_pipe {
            let _ = rustix::pipe::fcntl_setpipe_size(stdout, 1 << 20);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = stdout;
}

/// `--stdout`: the files as one YAML stream, `---` between them. The first
/// error stops the writing and is reported when the build ends.
struct Stream<W: Write> {
    out: W,
    first: bool,
    error: Option<std::io::Error>,
}

impl<W: Write> FileSink for Stream<W> {
    fn push(&mut self, file: GeneratedFile) {
        if self.error.is_some() {
            return;
        }
        let separator: &[u8] = if self.first { b"" } else { b"---\n" };
        self.first = false;
        if let Err(error) = self
            .out
            .write_all(separator)
            .and_then(|()| self.out.write_all(file.text.as_bytes()))
        {
            self.error = Some(error);
        }
    }
}

/// The fingerprint of what the build of the fleet at `path` reads: its files,
/// the stdlib, the binary (see `BuildState`).
fn inputs_fingerprint(path: &Path, compilation: &Compilation) -> String {
    let db = &compilation.db;
    fingerprint(
        path,
        compilation
            .workspace
            .files(db)
            .iter()
            .map(|file| (file.path(db).as_str(), &**file.text(db))),
    )
}

/// Whether the last clean build into `out` had `fingerprint` and every file it
/// owns is as it left it; if so, says so (as `--check` when `check`).
fn said_unchanged(out: &Path, fingerprint: &str, check: bool) -> bool {
    let Some(state) = BuildState::read(out, fingerprint) else {
        return false;
    };
    if !state.output_unchanged(out) {
        return false;
    }
    let root = root_in(out, &state.root);
    if check {
        eprintln!(
            "{}: 0 files would change, {} unchanged (nothing changed since the last build)",
            state.summary,
            state.generated_files()
        );
    } else {
        eprintln!(
            "{}: 0 files written, {} unchanged, 0 removed in `{}` (nothing changed since the last build)",
            state.summary,
            state.generated_files(),
            root.display()
        );
    }
    true
}

/// From how many clusters a build says what each step took.
const LARGE_FLEET: usize = 1_000;

/// The steps of a build of a large fleet, each said as it ends with the time
/// since the build started: what a long wait is spent on.
struct Progress {
    shown: bool,
    started: std::time::Instant,
}

impl Progress {
    fn step(&self, what: &str) {
        if self.shown {
            eprintln!("{what} ({:.2} s)", self.started.elapsed().as_secs_f64());
        }
    }
}
