//! The session's own settings in the settings editor (`B`): the backend that answers the
//! integrations and the address listen mode serves on, as TOML written as the session file
//! holds them (`listen = "127.0.0.1:8080"`, `[backend]`), with the backend kinds listed in a
//! comment. Applying changes the session as one edit (autosaved, dirty, saved with the
//! session, keeping the file's layout): the next run uses the new backend, and a running
//! server restarts on the new address (one that is taken is reported; the workbench goes on).
//! Until applied, the text can be undone or the editor closed without a change.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};

use crate::app::listen::Listening;
use crate::app::settings_text::{SettingsError, from_toml};
use crate::app::{App, Effect, StatusKind};
use crate::backend::BackendConfig;
use crate::session::locate::{line_col, locate};

/// What the comment above `[backend]` says about each kind.
const KINDS: &str = "\
# The backend that answers the integrations; type = one of:
#  \"echo\"        built-in echo server and function (offline)
#  \"canned\"      status, headers, body (or lambdaError) set here
#  \"http\"        calls the integration's uri for real
#  \"lambda\"      Invoke API: endpoint = \"http://127.0.0.1:9000\"
#  \"local\"       your handler: command = [\"python3\", \"app.py\"]
#  \"aws-local\"   local AWS (moto): endpoint = \"...\" or start = true
#  \"aws-lambda\"  real AWS Lambda (a build with --features aws)
";

/// The session settings the editor changes.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionSettings {
    /// The backend.
    pub backend: BackendConfig,
    /// The listen address.
    pub listen: SocketAddr,
}

#[derive(Serialize)]
struct BackendTable<'a> {
    backend: &'a BackendConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Parsed {
    #[serde(default)]
    listen: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    backend: BackendConfig,
}

/// The backend's kind as the session file names it (`type = "..."`).
pub fn backend_kind(b: &BackendConfig) -> &'static str {
    match b {
        BackendConfig::Echo => "echo",
        BackendConfig::Canned { .. } => "canned",
        BackendConfig::Http => "http",
        BackendConfig::Lambda { .. } => "lambda",
        BackendConfig::AwsLambda { .. } => "aws-lambda",
        BackendConfig::Local { .. } => "local",
        BackendConfig::AwsLocal { .. } => "aws-local",
    }
}

/// The editor's text for `settings`.
pub fn session_text(settings: &SessionSettings) -> Result<String, String> {
    let backend = toml::to_string_pretty(&BackendTable {
        backend: &settings.backend,
    })
    .map_err(|e| e.to_string())?;
    Ok(format!(
        "# Listen mode serves here (a port alone: 127.0.0.1:PORT).\n\
         listen = \"{}\"\n\n{KINDS}{backend}",
        settings.listen
    ))
}

/// Parse the editor's text: errors at line:col, as the session file's own load would refuse
/// it (unknown fields and kinds, keys a backend does not read), and a listen address that is
/// not loopback unless `allow_remote`.
pub fn parse_session_settings(
    text: &str,
    allow_remote: bool,
) -> Result<SessionSettings, SettingsError> {
    let parsed: Parsed = from_toml(text)?;
    if let Err((path, message)) = crate::session::backend_keys(text) {
        let (line, col) = locate(text, &path).map_or((1, 1), |o| line_col(text, o));
        return Err(SettingsError { line, col, message });
    }
    let Some(listen) = parsed.listen else {
        return Err(SettingsError {
            line: 1,
            col: 1,
            message: "`listen` is missing: the address listen mode serves on".into(),
        });
    };
    let at = |message: String| {
        let (line, col) = line_col(text, listen.span().start);
        SettingsError { line, col, message }
    };
    let loopback = |port: u16| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let addr = match listen.get_ref() {
        toml::Value::Integer(n) => u16::try_from(*n)
            .map(loopback)
            .map_err(|_| at(format!("port {n} is not between 0 and 65535")))?,
        toml::Value::String(s) => match s.parse::<u16>() {
            Ok(port) => loopback(port),
            Err(_) => s.parse::<SocketAddr>().map_err(|_| {
                at(format!(
                    "{s:?} is not an address such as \"127.0.0.1:8080\" (or a port)"
                ))
            })?,
        },
        other => {
            return Err(at(format!(
                "`listen` is an address such as \"127.0.0.1:8080\" (or a port), not {}",
                other.type_str()
            )));
        }
    };
    if !allow_remote && !addr.ip().is_loopback() {
        return Err(at(format!(
            "{addr} is not a loopback address: serving other machines needs --allow-remote"
        )));
    }
    Ok(SessionSettings {
        backend: parsed.backend,
        listen: addr,
    })
}

impl App {
    /// The session settings as they are now (the address listen mode would use).
    pub fn session_settings(&self) -> SessionSettings {
        SessionSettings {
            backend: self.session().backend.clone(),
            listen: self.listen.addr(),
        }
    }

    /// Apply the session settings of the editor's text.
    pub(super) fn apply_session_settings(
        &mut self,
        text: &str,
    ) -> Result<Vec<Effect>, SettingsError> {
        let new = parse_session_settings(text, self.listen.allow_remote())?;
        let old = self.session_settings();
        let mut changes = Vec::new();
        if new.backend != old.backend {
            let (from, to) = (backend_kind(&old.backend), backend_kind(&new.backend));
            changes.push(if from == to {
                format!("backend {to} settings")
            } else {
                format!("backend {from} → {to}")
            });
        }
        let moved = new.listen != old.listen;
        if moved {
            changes.push(format!("listen {} → {}", old.listen, new.listen));
        }
        if changes.is_empty() {
            self.set_status(StatusKind::Info, "No changes to the session's settings");
            return Ok(Vec::new());
        }
        let before = self.session_state();
        let session = std::sync::Arc::make_mut(&mut self.workspace.session);
        session.backend = new.backend;
        // The address stays out of a file that did not name one until it changes.
        if moved {
            session.listen = Some(new.listen);
            self.listen.set_addr(new.listen);
        }
        self.workspace.revision += 1;
        self.record_session_change(
            before,
            format!("the session's settings: {}", changes.join(" · ")),
        );
        let mut fx = self.settings_applied();
        let mut text = format!("Applied: {}", changes.join(" · "));
        if moved && self.listen.state() != Listening::Off {
            // The running server moves: the old one stops, the new one binds (a taken port is
            // reported when the bind fails; the workbench goes on without a server).
            fx.extend(self.start_listening());
            text.push_str(&format!(" (listening again on {})", new.listen));
        }
        self.set_status(StatusKind::Success, text);
        Ok(fx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(backend: BackendConfig) -> SessionSettings {
        SessionSettings {
            backend,
            listen: "127.0.0.1:8080".parse().unwrap(),
        }
    }

    #[test]
    fn the_text_reads_back_as_the_same_settings() {
        for b in [
            BackendConfig::Echo,
            BackendConfig::Http,
            BackendConfig::Canned {
                status: Some(201),
                headers: [("x-a".to_string(), "1".to_string())].into_iter().collect(),
                body: Some("{}".into()),
                lambda_error: None,
            },
            BackendConfig::Lambda {
                endpoint: "http://127.0.0.1:9000".into(),
                function: Some("f".into()),
            },
            BackendConfig::Local {
                command: vec!["python3".into(), "app.py".into()],
            },
        ] {
            let s = settings(b);
            let text = session_text(&s).unwrap();
            assert!(
                text.contains("\"aws-local\""),
                "the kinds are listed:\n{text}"
            );
            assert_eq!(parse_session_settings(&text, false).unwrap(), s, "{text}");
        }
    }

    #[test]
    fn ports_addresses_and_their_errors() {
        let parse = |t: &str| parse_session_settings(t, false);
        let addr = |t: &str| parse(t).map(|s| s.listen.to_string());
        assert_eq!(addr("listen = 8085").unwrap(), "127.0.0.1:8085");
        assert_eq!(addr("listen = \"8085\"").unwrap(), "127.0.0.1:8085");
        assert_eq!(addr("listen = \"[::1]:9000\"").unwrap(), "[::1]:9000");
        let e = parse("\n\nlisten = 70000").unwrap_err();
        assert_eq!((e.line, e.col), (3, 10));
        assert!(e.message.contains("70000"), "{e}");
        let e = parse("listen = \"localhost:80\"").unwrap_err();
        assert!(e.message.contains("not an address"), "{e}");
        let e = parse("listen = \"0.0.0.0:8080\"").unwrap_err();
        assert!(e.message.contains("--allow-remote"), "{e}");
        assert!(parse_session_settings("listen = \"0.0.0.0:8080\"", true).is_ok());
        let e = parse("[backend]\ntype = \"echo\"").unwrap_err();
        assert!(e.message.contains("`listen` is missing"), "{e}");
    }

    #[test]
    fn backend_errors_are_those_of_the_session_file() {
        let parse = |t: &str| parse_session_settings(t, false);
        let e = parse("listen = 1\n[backend]\ntype = \"nope\"").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        assert!(e.message.contains("unknown variant"), "{e}");
        let e = parse("listen = 1\n[backend]\ntype = \"echo\"\nendpoint = \"x\"").unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(
            e.message.contains("takes no settings besides `type`"),
            "{e}"
        );
        let e = parse("listen = 1\n[backend]\ntype = \"lambda\"").unwrap_err();
        assert!(e.message.contains("endpoint"), "{e}");
        let e = parse("listen = 1\nport = 2").unwrap_err();
        assert!(e.message.contains("unknown field"), "{e}");
        // No [backend] at all: the session's default, echo.
        assert_eq!(parse("listen = 1").unwrap().backend, BackendConfig::Echo);
    }
}
