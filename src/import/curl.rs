//! Requests from a curl command line, and back. Only what changes the request the gateway
//! sees is read (method, URL, headers, body and the options that make them); output,
//! connection and TLS options are accepted and ignored.

use base64::Engine as _;

use super::error::ImportError;
use crate::session::SavedRequest;

/// Options that take no argument and do not change the request.
const FLAGS: &[&str] = &[
    "-s",
    "--silent",
    "-S",
    "--show-error",
    "-v",
    "--verbose",
    "-i",
    "--include",
    "-L",
    "--location",
    "-k",
    "--insecure",
    "--compressed",
    "-f",
    "--fail",
    "--fail-with-body",
    "-N",
    "--no-buffer",
    "--http1.0",
    "--http1.1",
    "--http2",
    "--http2-prior-knowledge",
    "--http3",
    "-#",
    "--progress-bar",
    "-4",
    "--ipv4",
    "-6",
    "--ipv6",
    "-g",
    "--globoff",
    "--location-trusted",
    "--raw",
    "--no-keepalive",
    "--tcp-nodelay",
    "-l",
    "--list-only",
    "--ssl",
    "--ssl-reqd",
    "--tlsv1.2",
    "--tlsv1.3",
    "-O",
    "--remote-name",
    "-J",
    "--remote-header-name",
    "-q",
    "--disable",
    "--path-as-is",
    "--no-progress-meter",
];

/// Options that take an argument and do not change the request.
const IGNORED_WITH_ARG: &[&str] = &[
    "-o",
    "--output",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--retry",
    "--retry-delay",
    "--retry-max-time",
    "-x",
    "--proxy",
    "--cacert",
    "--capath",
    "-E",
    "--cert",
    "--key",
    "--cert-type",
    "--key-type",
    "--resolve",
    "--connect-to",
    "-c",
    "--cookie-jar",
    "--limit-rate",
    "-y",
    "--speed-time",
    "-Y",
    "--speed-limit",
    "-D",
    "--dump-header",
    "--trace",
    "--trace-ascii",
    "--interface",
    "--max-redirs",
    "--proto",
    "--proto-redir",
    "--aws-sigv4",
    "--stderr",
];

/// Short options that take an argument (they may be glued to it: `-XPOST`).
const SHORT_WITH_ARG: &str = "XHdFuAebTomwxEcyYDr";

/// The request a curl command line sends.
///
/// Supported: `-X/--request`, `-H/--header` (`Name:` with no value removes a header, as in
/// curl), `-d/--data`, `--data-ascii`, `--data-raw`, `--data-binary`, `--data-urlencode`,
/// `--json`, `-G/--get`, `-I/--head`, `-u/--user`, `-A/--user-agent`, `-e/--referer`,
/// `-b/--cookie` (a `name=value` string), `--url`; `@file` data is read from the file.
/// Multipart forms (`-F`) and uploads (`-T`) are errors, as is any unknown option.
pub fn import_curl(cmd: &str) -> Result<SavedRequest, ImportError> {
    let err = |m: String| ImportError::Curl(m);
    // Backslash-newline continuations are the shell's (shell-words removes them, but only
    // before `\n`: a command pasted with CRLF line ends is normalised first).
    let joined = cmd.replace("\\\r\n", "\\\n");
    let words = shell_words::split(joined.trim())
        .map_err(|e| err(format!("cannot split the command line: {e}")))?;
    let mut words = words.into_iter().peekable();
    match words.next() {
        Some(first) if is_curl(&first) => {}
        Some(first) => return Err(err(format!("the command is {first:?}, not curl"))),
        None => return Err(err("empty command".into())),
    }
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut data: Vec<String> = Vec::new();
    let mut get = false;
    let mut head = false;
    let mut json = false;
    let mut end_of_options = false;
    while let Some(word) = words.next() {
        if end_of_options || !word.starts_with('-') || word == "-" {
            if url.replace(word.clone()).is_some() {
                return Err(err(format!(
                    "more than one URL (also {word:?}); gatebench imports one request"
                )));
            }
            continue;
        }
        if word == "--" {
            end_of_options = true;
            continue;
        }
        // Split `--opt=value` is not curl syntax; short options may be clustered (`-sSL`)
        // or glued to their argument (`-XPOST`).
        let (opt, glued) = if word.starts_with("--") {
            (word.clone(), None)
        } else {
            let mut chars = word[1..].chars();
            let mut opt = None;
            let mut glued = None;
            while let Some(c) = chars.next() {
                let rest: String = chars.clone().collect();
                if SHORT_WITH_ARG.contains(c) {
                    opt = Some(format!("-{c}"));
                    glued = (!rest.is_empty()).then_some(rest);
                    break;
                }
                let flag = format!("-{c}");
                if c == 'G' {
                    get = true;
                } else if c == 'I' {
                    head = true;
                } else if !FLAGS.contains(&flag.as_str()) {
                    return Err(err(format!("unknown or unsupported curl option {flag}")));
                }
            }
            match opt {
                Some(o) => (o, glued),
                None => continue,
            }
        };
        let opt = opt.as_str();
        if matches!(opt, "-G" | "--get") {
            get = true;
            continue;
        }
        if matches!(opt, "-I" | "--head") {
            head = true;
            continue;
        }
        if FLAGS.contains(&opt) {
            continue;
        }
        let mut arg = || -> Result<String, ImportError> {
            glued
                .clone()
                .or_else(|| words.next())
                .ok_or_else(|| err(format!("{opt} needs an argument")))
        };
        match opt {
            "-X" | "--request" => method = Some(arg()?),
            "--url" => url = Some(arg()?),
            "-H" | "--header" => header(&arg()?, &mut headers)?,
            "-d" | "--data" | "--data-ascii" => data.push(read_data(&arg()?, true)?),
            "--data-binary" => data.push(read_data(&arg()?, false)?),
            "--data-raw" => data.push(arg()?),
            "--data-urlencode" => data.push(urlencode_data(&arg()?)?),
            "--json" => {
                data.push(read_data(&arg()?, false)?);
                json = true;
            }
            "-u" | "--user" => {
                let creds = arg()?;
                let b64 = base64::engine::general_purpose::STANDARD.encode(creds.as_bytes());
                set_header(&mut headers, "Authorization", &format!("Basic {b64}"));
            }
            "-A" | "--user-agent" => set_header(&mut headers, "User-Agent", &arg()?),
            "-e" | "--referer" => set_header(&mut headers, "Referer", &arg()?),
            "-b" | "--cookie" => {
                let c = arg()?;
                if !c.contains('=') {
                    return Err(err(format!(
                        "-b {c:?} reads a cookie file; give the cookies as name=value"
                    )));
                }
                set_header(&mut headers, "Cookie", &c);
            }
            "-F" | "--form" | "--form-string" => {
                return Err(err(
                    "multipart forms (-F) are not supported; send the body with --data-binary"
                        .into(),
                ));
            }
            "-T" | "--upload-file" => {
                return Err(err(
                    "uploads (-T) are not supported; send the body with --data-binary @FILE".into(),
                ));
            }
            o if IGNORED_WITH_ARG.contains(&o) => {
                arg()?;
            }
            o => return Err(err(format!("unknown or unsupported curl option {o}"))),
        }
    }
    let Some(url) = url else {
        return Err(err("no URL".into()));
    };
    let (path, mut raw_query) = split_url(&url);
    let body_text = data.join("&");
    let mut body = None;
    if get {
        if !body_text.is_empty() {
            if !raw_query.is_empty() {
                raw_query.push('&');
            }
            raw_query.push_str(&body_text);
        }
    } else if !data.is_empty() {
        body = Some(body_text);
        let ct = if json {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        default_header(&mut headers, "Content-Type", ct);
        if json {
            default_header(&mut headers, "Accept", "application/json");
        }
    }
    let method = method.unwrap_or_else(|| {
        if head {
            "HEAD"
        } else if body.is_some() {
            "POST"
        } else {
            "GET"
        }
        .to_string()
    });
    // `-H 'Name:'` removed the header (also one curl would add itself).
    headers.retain(|(_, v)| v != REMOVED);
    Ok(SavedRequest {
        name: format!("{method} {path}"),
        method,
        path,
        raw_query,
        headers,
        body,
        body_base64: None,
    })
}

/// Marks a header removed with `-H 'Name:'`.
const REMOVED: &str = "\u{0}removed";

fn is_curl(word: &str) -> bool {
    let base = word.rsplit(['/', '\\']).next().unwrap_or(word);
    base == "curl" || base.eq_ignore_ascii_case("curl.exe")
}

fn header(h: &str, headers: &mut Vec<(String, String)>) -> Result<(), ImportError> {
    if let Some(file) = h.strip_prefix('@') {
        let text = crate::session::file::read_text(file.as_ref())
            .map_err(|e| ImportError::Curl(format!("-H @{file}: {e}")))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            header(line, headers)?;
        }
        return Ok(());
    }
    if let Some(name) = h.strip_suffix(';') {
        // `Name;` sends the header with an empty value.
        set_header(headers, name.trim(), "");
        return Ok(());
    }
    let Some((name, value)) = h.split_once(':') else {
        return Err(ImportError::Curl(format!("header {h:?} has no colon")));
    };
    let value = value.trim();
    if value.is_empty() {
        set_header(headers, name.trim(), REMOVED);
    } else {
        headers.push((name.trim().to_string(), value.to_string()));
    }
    Ok(())
}

/// Replace a header (curl's own headers are replaced by `-H`, not repeated).
fn set_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
    headers.push((name.to_string(), value.to_string()));
}

/// Add a header curl adds itself, unless the command set (or removed) it.
fn default_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name)) {
        headers.push((name.to_string(), value.to_string()));
    }
}

/// `-d` / `--data-binary` text, reading `@file` (`-d` drops newlines from files, as curl).
fn read_data(d: &str, strip_newlines: bool) -> Result<String, ImportError> {
    let Some(file) = d.strip_prefix('@') else {
        return Ok(d.to_string());
    };
    if file == "-" {
        return Err(ImportError::Curl(
            "data from standard input (@-) cannot be imported; paste the body instead".into(),
        ));
    }
    let text = crate::session::file::read_text(file.as_ref())
        .map_err(|e| ImportError::Curl(format!("@{file}: {e}")))?;
    Ok(if strip_newlines {
        text.replace(['\r', '\n'], "")
    } else {
        text
    })
}

/// `--data-urlencode`: `content`, `=content`, `name=content`, `@file`, `name@file`.
fn urlencode_data(d: &str) -> Result<String, ImportError> {
    let enc = |s: &str| form_encode(s);
    if let Some(rest) = d.strip_prefix('=') {
        return Ok(enc(rest));
    }
    let eq = d.find('=');
    let at = d.find('@');
    match (eq, at) {
        (Some(i), a) if a.is_none_or(|a| i < a) => Ok(format!("{}={}", &d[..i], enc(&d[i + 1..]))),
        (_, Some(a)) => {
            let content = read_data(&d[a..], false)?;
            Ok(if a == 0 {
                enc(&content)
            } else {
                format!("{}={}", &d[..a], enc(&content))
            })
        }
        _ => Ok(enc(d)),
    }
}

/// Percent-encode as curl's `--data-urlencode` does (everything but unreserved characters).
fn form_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

/// `https://host/dev/pets?x=1#frag` -> (`/dev/pets`, `x=1`).
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split_once('#').map_or(rest, |(a, _)| a);
    let after_host = rest.find(['/', '?']).map_or("", |i| &rest[i..]);
    let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
    let path = if path.is_empty() { "/" } else { path };
    (path.to_string(), query.to_string())
}

/// A curl command line that sends `req` to `base_url` (e.g.
/// `https://abc123.execute-api.us-east-1.amazonaws.com`; the request's path already
/// carries the stage). A text body is sent with `--data-raw`; a binary body is decoded from
/// base64 in a pipe. [`import_curl`] reads the text form back into the same request.
pub fn to_curl(req: &SavedRequest, base_url: &str) -> String {
    let q = |s: &str| shell_words::quote(s).into_owned();
    let mut url = base_url.trim_end_matches('/').to_string();
    if !req.path.starts_with('/') {
        url.push('/');
    }
    url.push_str(&req.path);
    if !req.raw_query.is_empty() {
        url.push('?');
        url.push_str(&req.raw_query);
    }
    let has_body = req.body.is_some() || req.body_base64.is_some();
    let mut parts: Vec<String> = vec!["curl".into()];
    match req.method.as_str() {
        "GET" if !has_body => {}
        "HEAD" if !has_body => parts.push("-I".into()),
        "POST" if has_body => parts.extend(["-X".into(), "POST".into()]),
        m => parts.extend(["-X".into(), q(m)]),
    }
    parts.push(q(&url));
    for (k, v) in &req.headers {
        if v.is_empty() {
            parts.extend(["-H".into(), q(&format!("{k};"))]);
        } else {
            parts.extend(["-H".into(), q(&format!("{k}: {v}"))]);
        }
    }
    let has_ct = req
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("Content-Type"));
    if has_body && !has_ct {
        // curl would add a form Content-Type to a request with data; the request had none.
        parts.extend(["-H".into(), q("Content-Type:")]);
    }
    if let Some(b64) = &req.body_base64 {
        parts.extend(["--data-binary".into(), "@-".into()]);
        return format!("printf %s {} | base64 -d | {}", q(b64), parts.join(" "));
    }
    if let Some(body) = &req.body {
        parts.extend(["--data-raw".into(), q(body)]);
    }
    parts.join(" ")
}
