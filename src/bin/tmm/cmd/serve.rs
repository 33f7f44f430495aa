//! `tmm serve`: the memory for a team, over HTTP.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tmm::server::{self, Config};
use tmm::store::Store;

/// Serve the memory over HTTP: a JSON API under /api/v1, the tmserver/amaGama protocol
/// under /tmserver (Virtaal, Pootle, Weblate), and a page for translators at /. Reads need a
/// read token unless --open-read; writes always need a token (`tmm token add`). Stops on
/// SIGTERM or Ctrl-C after the requests in flight.
///
/// Example: `tmm serve --listen 127.0.0.1:8080`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on; port 0 picks a free port. The default is loopback only:
    /// give 0.0.0.0:PORT to serve the network
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    listen: SocketAddr,
    /// Let this origin read the tmserver routes from a browser (CORS), e.g.
    /// https://weblate.example.org
    #[arg(long, value_name = "ORIGIN")]
    cors: Option<String>,
    /// Anyone who can reach the server may read (look up, search, export) without a token,
    /// for a trusted intranet; writes still need one
    #[arg(long)]
    open_read: bool,
    /// The largest import upload, in MiB
    #[arg(long, default_value_t = 1024, value_name = "MIB")]
    import_limit: u64,
    /// Seconds a write waits for another write to finish before answering 503
    #[arg(long, default_value_t = 5, value_name = "SECONDS")]
    write_wait: u64,
    /// Seconds a request may take, and an upload or download may stall
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
}

pub fn run(db: &Path, args: Args) -> anyhow::Result<ExitCode> {
    if let Some(origin) = &args.cors
        && axum_origin_is_bad(origin)
    {
        anyhow::bail!("--cors: `{origin}` is not an origin such as https://weblate.example.org");
    }
    let store =
        Store::open(db).with_context(|| format!("opening {}", tmm::store::location_label(db)))?;
    let config = Config {
        listen: args.listen,
        cors: args.cors,
        open_read: args.open_read,
        import_limit: args.import_limit.saturating_mul(1 << 20),
        write_wait: Duration::from_secs(args.write_wait),
        timeout: Duration::from_secs(args.timeout.max(1)),
        ..Config::default()
    };
    let open_read = config.open_read;
    server::serve(store, config, |addr| {
        let reach = if addr.ip().is_loopback() {
            "loopback only: this machine alone can connect (--listen 0.0.0.0:PORT serves the network)"
        } else {
            "reachable from the network"
        };
        eprintln!(
            "tmm serve: {} on {}; reads {}",
            tmm::store::location_label(db),
            reach,
            if open_read { "open to anyone (--open-read)" } else { "need a token" }
        );
        // The address alone on stdout, for scripts that start the server on port 0.
        let _ = outln!("listening on http://{addr}");
    })
    .with_context(|| format!("listening on {}", args.listen))?;
    eprintln!("tmm serve: stopped");
    Ok(ExitCode::SUCCESS)
}

/// An origin is `scheme://host[:port]` with no path.
fn axum_origin_is_bad(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else {
        return true;
    };
    !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains('/')
}
