//! The execution log in the console Test format, and the time formats API Gateway uses.

/// Longest logged value before API Gateway cuts it with ` [TRUNCATED]`.
const MAX_VALUE: usize = 1000;

/// The execution log being written.
#[derive(Clone, Debug, Default)]
pub struct ExecLog {
    ts: String,
    lines: Vec<String>,
    /// Off: nothing is formatted or kept (nobody will read it).
    off: bool,
}

impl ExecLog {
    /// A new log for a request (`Execution log for request ID` + `Starting execution`).
    pub fn new(request_id: &str, now_ms: u64) -> Self {
        let ts = console_timestamp(now_ms);
        let mut log = ExecLog {
            ts,
            lines: Vec::with_capacity(24),
            off: false,
        };
        log.lines
            .push(format!("Execution log for request {request_id}"));
        log.line(format_args!("Starting execution for request: {request_id}"));
        log
    }

    /// A log that keeps nothing: for runs whose log nobody reads (a headless server).
    pub fn off() -> Self {
        ExecLog {
            off: true,
            ..ExecLog::default()
        }
    }

    /// Whether lines are kept (callers skip preparing costly values when not).
    pub fn enabled(&self) -> bool {
        !self.off
    }

    /// Add a timestamped line (cut after API Gateway's 1000 bytes with ` [TRUNCATED]`).
    pub fn line(&mut self, text: impl std::fmt::Display) {
        use std::fmt::Write as _;
        if self.off {
            return;
        }
        let mut line = String::with_capacity(self.ts.len() + 64);
        line.push_str(&self.ts);
        line.push_str(" : ");
        let start = line.len();
        let _ = write!(line, "{text}");
        if line.len() - start > MAX_VALUE {
            let mut end = start + MAX_VALUE;
            while !line.is_char_boundary(end) {
                end -= 1;
            }
            line.truncate(end);
            line.push_str(" [TRUNCATED]");
        }
        self.lines.push(line);
    }

    /// The lines written so far, ending with an empty line (the log ends with a newline).
    pub fn finish(mut self) -> Vec<String> {
        if self.off {
            return Vec::new();
        }
        self.lines.push(String::new());
        self.lines
    }

    /// The lines written so far.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }
}

/// Print name/value pairs Java-map style: `{a=1, b=2}` (an `IndexMap` or any pairs).
pub fn java_map<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let inner: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", k.as_ref(), v.as_ref()))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// [`java_map`] of headers held as `(name, value)` pairs.
pub fn java_map_pairs(pairs: &[(String, String)]) -> String {
    java_map(pairs.iter().map(|(k, v)| (k, v)))
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let m = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    (if m <= 2 { y + 1 } else { y }, m, d)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

struct Parts {
    year: i64,
    month: u32,
    day: u32,
    weekday: &'static str,
    h: i64,
    m: i64,
    s: i64,
}

fn parts(ms: u64) -> Parts {
    let secs = i64::try_from(ms / 1000).unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        weekday: DAYS[usize::try_from(days.rem_euclid(7)).unwrap_or(0)],
        h: rem / 3600,
        m: rem / 60 % 60,
        s: rem % 60,
    }
}

/// `Thu Aug 31 01:07:25 UTC 2017`: the console log timestamp.
pub fn console_timestamp(ms: u64) -> String {
    let p = parts(ms);
    format!(
        "{} {} {:02} {:02}:{:02}:{:02} UTC {}",
        p.weekday,
        MONTHS[(p.month - 1) as usize],
        p.day,
        p.h,
        p.m,
        p.s,
        p.year
    )
}

/// `04/Mar/2020:19:15:17 +0000`: `$context.requestTime`.
pub fn clf_timestamp(ms: u64) -> String {
    let p = parts(ms);
    format!(
        "{:02}/{}/{}:{:02}:{:02}:{:02} +0000",
        p.day,
        MONTHS[(p.month - 1) as usize],
        p.year,
        p.h,
        p.m,
        p.s
    )
}

/// `20200304T191517Z`: SigV4's `X-Amz-Date` (UTC) for the request time `ms`.
pub fn amz_date(ms: u64) -> String {
    let p = parts(ms);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        p.year, p.month, p.day, p.h, p.m, p.s
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_dates() {
        assert_eq!(amz_date(1_583_349_317_135), "20200304T191517Z");
        assert_eq!(amz_date(0), "19700101T000000Z");
    }

    #[test]
    fn timestamps() {
        // 2017-08-31T01:07:25Z
        assert_eq!(
            console_timestamp(1_504_141_645_000),
            "Thu Aug 31 01:07:25 UTC 2017"
        );
        // 2020-03-04T19:15:17.135Z
        assert_eq!(
            clf_timestamp(1_583_349_317_135),
            "04/Mar/2020:19:15:17 +0000"
        );
    }

    #[test]
    fn truncation() {
        let mut log = ExecLog::new("id", 0);
        log.line("é".repeat(1000));
        log.line("short");
        let cut = &log.lines()[2];
        let value = cut.split_once(" : ").unwrap().1;
        // 1000 bytes, cut back to a character boundary, then the marker.
        assert_eq!(value, format!("{} [TRUNCATED]", "é".repeat(500)));
        assert!(log.lines()[3].ends_with(" : short"));
        let mut off = ExecLog::off();
        off.line("nothing");
        assert!(off.finish().is_empty());
        assert_eq!(java_map([("a", "1"), ("b", "2")]), "{a=1, b=2}");
        assert_eq!(java_map(std::iter::empty::<(&str, &str)>()), "{}");
    }
}
