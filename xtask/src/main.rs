//! Project tasks, run as `cargo xtask <task>`.

mod bench;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench-peers") => bench::bench_peers(&args[1..]),
        _ => Err("usage: cargo xtask bench-peers [--quick]".into()),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
