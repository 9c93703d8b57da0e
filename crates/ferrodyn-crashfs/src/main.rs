//! `ferrodyn-crashfs [--dirs posix|ordered] <mountpoint>`: mounts crashfs and
//! serves it until unmounted or sent SIGTERM, SIGINT or SIGHUP (each of which
//! unmounts it).
//!
//! Mounting needs root (crashfs calls mount(2) itself; without the privilege
//! it falls back to `fusermount3` from Debian's `fuse3` package) and
//! `/dev/fuse`. Once the mount is live, crashfs prints
//! `ferrodyn-crashfs: mounted at <mountpoint>` on standard error; the control
//! file `<mountpoint>/.crashfs-control` then exists:
//! * writing `crash` to it cuts the power (see `ferrodyn_crashfs::tree`);
//! * writing `ignore-fsync` makes later fsyncs succeed without making
//!   anything durable, `honour-fsync` undoes that;
//! * reading it gives counters, one `name value` per line.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;

use ferrodyn_crashfs::fuse::CrashFs;
use ferrodyn_crashfs::tree::DirModel;
use fuser::{Config, MountOption, Session};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

const USAGE: &str = "usage: ferrodyn-crashfs [--dirs posix|ordered] <mountpoint>\n\
  --dirs posix    a directory entry is durable once its directory is fsynced (default)\n\
  --dirs ordered  every directory entry is durable once anything is fsynced";

#[derive(Debug)]
struct Args {
    mountpoint: PathBuf,
    model: DirModel,
}

fn parse_args() -> Result<Args, String> {
    let mut model = DirModel::Posix;
    let mut mountpoint = None;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--dirs" {
            let value = args.next().ok_or("--dirs needs a value")?;
            model = match value.to_str() {
                Some("posix") => DirModel::Posix,
                Some("ordered") => DirModel::Ordered,
                _ => return Err(format!("--dirs: unknown model {value:?}")),
            };
        } else if arg == "-h" || arg == "--help" {
            return Err(String::new());
        } else if mountpoint.is_none() {
            mountpoint = Some(PathBuf::from(arg));
        } else {
            return Err(format!("unexpected argument {arg:?}"));
        }
    }
    let mountpoint = mountpoint.ok_or("a mountpoint is required")?;
    Ok(Args { mountpoint, model })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("ferrodyn-crashfs: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ferrodyn-crashfs: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<(), String> {
    // The mounted root takes the owner of the directory it covers.
    let covered = std::fs::metadata(&args.mountpoint).map_err(|e| {
        format!(
            "cannot stat the mountpoint {}: {e}",
            args.mountpoint.display()
        )
    })?;
    let fs = CrashFs::new(args.model, covered.uid(), covered.gid());
    let mut config = Config::default();
    config.mount_options = vec![
        MountOption::FSName("ferrodyn-crashfs".to_owned()),
        MountOption::DefaultPermissions,
    ];
    // One thread: every request is applied in the order the kernel sent it.
    config.n_threads = Some(1);
    let mut session = Session::new(fs, &args.mountpoint, &config)
        .map_err(|e| format!("cannot mount at {}: {e}", args.mountpoint.display()))?;
    let mut unmounter = session.unmount_callable();
    let mut signals = Signals::new([SIGTERM, SIGINT, SIGHUP])
        .map_err(|e| format!("cannot install signal handlers: {e}"))?;
    let mountpoint = args.mountpoint.clone();
    thread::Builder::new()
        .name("crashfs-signals".to_owned())
        .spawn(move || {
            if signals.forever().next().is_some()
                && let Err(e) = unmounter.unmount()
            {
                eprintln!(
                    "ferrodyn-crashfs: cannot unmount {}: {e}",
                    mountpoint.display()
                );
            }
        })
        .map_err(|e| format!("cannot start the signal thread: {e}"))?;
    eprintln!("ferrodyn-crashfs: mounted at {}", args.mountpoint.display());
    session
        .run()
        .map_err(|e| format!("session ended with an error: {e}"))?;
    eprintln!("ferrodyn-crashfs: unmounted {}", args.mountpoint.display());
    Ok(())
}
