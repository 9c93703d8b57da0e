//! CPU time of a process (all its threads), from `/proc/<pid>/stat`.
//!
//! `utime` and `stime` are counted in clock ticks of `USER_HZ`, which Linux
//! fixes at 100 per second for user space on every mainstream architecture
//! whatever the kernel's internal tick rate; reading it with `sysconf` would
//! need `libc` and `unsafe` for a constant. A 10 ms resolution is ample over
//! a measured interval of seconds.

use std::time::Duration;

use crate::error::BenchError;

/// `USER_HZ`: the unit of `utime` and `stime`.
pub const CLOCK_TICKS_PER_SEC: u64 = 100;

/// Whose CPU time to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// The generator itself.
    Myself,
    /// Another process, e.g. the server under test.
    Pid(u32),
}

/// User plus system CPU time consumed so far by `process`.
pub fn cpu_time(process: Process) -> Result<Duration, BenchError> {
    let (path, pid) = match process {
        Process::Myself => ("/proc/self/stat".to_owned(), "self".to_owned()),
        Process::Pid(p) => (format!("/proc/{p}/stat"), p.to_string()),
    };
    let text = std::fs::read_to_string(&path).map_err(|source| BenchError::ProcStat {
        pid: pid.clone(),
        source,
    })?;
    let ticks = parse_stat(&text).ok_or_else(|| BenchError::ProcStat {
        pid,
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "unexpected format"),
    })?;
    Ok(Duration::from_millis(ticks * 1000 / CLOCK_TICKS_PER_SEC))
}

/// `utime + stime` in ticks. The command name (field 2) is in parentheses
/// and may itself contain spaces and parentheses, so fields are counted
/// from the last `)`: `state` is field 3, `utime` 14, `stime` 15.
fn parse_stat(text: &str) -> Option<u64> {
    let after = &text[text.rfind(')')? + 1..];
    let mut fields = after.split_ascii_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_lines() {
        let line =
            "1234 (tokio (rt) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 3 0 100 0 0";
        assert_eq!(parse_stat(line), Some(287));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn reads_its_own_cpu_time() {
        assert!(cpu_time(Process::Myself).is_ok());
        assert!(cpu_time(Process::Pid(std::process::id())).is_ok());
    }
}
