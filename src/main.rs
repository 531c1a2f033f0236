use std::process::ExitCode;

/// mimalloc: the engine allocates many small strings and maps; measured faster than the
/// system allocator on the benchmark workloads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    gatebench::cli::main()
}
