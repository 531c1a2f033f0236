use std::process::ExitCode;

fn main() -> ExitCode {
    gatebench::cli::main()
}
