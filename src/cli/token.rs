//! `gatebench token`: a test JWT signed with a session's user pool key, which the session's
//! COGNITO_USER_POOLS authorizers accept (or refuse, with `--expires-in -60` or other
//! `--claims`); `--jwks` prints the public half of that key as a JWKS.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::session::token::{self, TokenRequest};

#[derive(clap::Args, Debug)]
pub(super) struct TokenArgs {
    /// The session file (TOML) whose `[[api.userPools]]` names a `privateKey`.
    session: PathBuf,
    /// Which pool (its ARN); default: the first with a `privateKey`.
    #[arg(long)]
    pool: Option<String>,
    /// Claims (a JSON object) that replace or add to the defaults; `null` removes one.
    #[arg(long, value_name = "JSON")]
    claims: Option<String>,
    /// An access token (`token_use` access, `client_id`, `scope`) instead of an ID token.
    #[arg(long)]
    access: bool,
    /// A scope of the access token (repeatable; implies --access).
    #[arg(long = "scope", value_name = "SCOPE")]
    scopes: Vec<String>,
    /// Seconds until the token expires (negative: already expired).
    #[arg(long, default_value_t = 3600, allow_negative_numbers = true)]
    expires_in: i64,
    /// Print the JWKS of the pool's private key (with this key id) instead of a token.
    #[arg(long, value_name = "KID", num_args = 0..=1, default_missing_value = "gatebench-key-1")]
    jwks: Option<String>,
}

pub(super) fn token(args: &TokenArgs) -> ExitCode {
    let session = match super::load_session_or_exit(&args.session) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Some(kid) = &args.jwks {
        return match token::jwks(&session, args.pool.as_deref(), kid) {
            Ok(j) => {
                print_line(&serde_json::to_string_pretty(&j).unwrap_or_default());
                ExitCode::SUCCESS
            }
            Err(e) => super::invalid_file(&args.session, 1, e),
        };
    }
    let claims = match args.claims.as_deref().map(serde_json::from_str) {
        None => serde_json::Map::new(),
        Some(Ok(serde_json::Value::Object(m))) => m,
        Some(Ok(_)) => {
            eprintln!("error: --claims takes a JSON object");
            return ExitCode::from(2);
        }
        Some(Err(e)) => {
            eprintln!("error: --claims is not JSON: {e}");
            return ExitCode::from(2);
        }
    };
    let now_secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0));
    let req = TokenRequest {
        pool: args.pool.clone(),
        access: args.access || !args.scopes.is_empty(),
        scopes: args.scopes.clone(),
        claims,
        expires_in: args.expires_in,
        now_secs,
    };
    match token::mint(&session, &req) {
        Ok(t) => {
            print_line(&t);
            ExitCode::SUCCESS
        }
        Err(e) => super::invalid_file(&args.session, 1, e),
    }
}

/// One line on stdout; a closed pipe (`| head`) is not an error worth a panic.
fn print_line(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{text}");
}
