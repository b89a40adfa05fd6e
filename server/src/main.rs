use clap::Parser;
use server::{
    cli::{self, Cli, Command},
    demo_portal::DemoPortal,
    settings::{LogFormat, Settings, UpsEnvironment},
    startup::Application,
    telemetry,
};
use std::{net::SocketAddr, process::ExitCode};
use tracing_subscriber::{fmt::writer::BoxMakeWriter, layer::SubscriberExt, util::SubscriberInitExt, EnvFilter, Layer};

/// Every password check works in 19 MiB of Argon2 memory, on whichever blocking thread runs it.
/// glibc serves such a block from that thread's arena and, once one has been freed, raises its
/// mmap threshold above it: from then on every arena keeps its block after the hash, and a flood
/// of sign-ins leaves the process holding hundreds of megabytes for good. A fixed threshold keeps
/// blocks of 1 MiB and more mapped on their own, and returned to the system as soon as they are
/// freed; smaller allocations are unaffected.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only adjusts allocator parameters; it is called before any other thread
    // exists, with a documented parameter and value.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("cannot start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // An administration command's stdout is its answer (scripts read it); its log goes to stderr.
    let serving = matches!(cli.command, None | Some(Command::Serve { .. }));
    let writer = if serving { BoxMakeWriter::new(std::io::stdout) } else { BoxMakeWriter::new(std::io::stderr) };
    let log = match settings.log_format {
        LogFormat::Text => tracing_subscriber::fmt::layer().with_writer(writer).boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer().json().with_writer(writer).boxed(),
    };
    // Traces only from the service, only when OTEL_EXPORTER_OTLP_* says where (telemetry.rs).
    let (traced, traces) = match serving.then(telemetry::start).transpose() {
        Ok(Some(Some((layer, traces)))) => (Some(layer), Some(traces)),
        Ok(_) => (None, None),
        Err(error) => {
            eprintln!("cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing_subscriber::registry().with(log.with_filter(filter)).with(traced).init();
    let exit = run_command(cli.command, settings).await;
    if let Some(traces) = traces {
        let _ = tokio::task::spawn_blocking(move || traces.shut_down()).await;
    }
    exit
}

async fn run_command(command: Option<Command>, settings: Settings) -> ExitCode {
    match command.unwrap_or(Command::Serve { demo_portals: false, demo_portal_port: None }) {
        Command::Serve { demo_portals, demo_portal_port } => {
            // The demo portals create sessions for any company on request: a sandbox-only aid,
            // reachable from this machine only.
            if demo_portals && settings.ups.environment != UpsEnvironment::Sandbox {
                eprintln!("--demo-portals runs only with the built-in UPS sandbox");
                return ExitCode::FAILURE;
            }
            let portals = if demo_portals {
                let port = demo_portal_port.unwrap_or(settings.listen.port().saturating_add(1));
                match DemoPortal::bind(SocketAddr::from(([127, 0, 0, 1], port))).await {
                    Ok(portals) => portals,
                    Err(error) => {
                        eprintln!("cannot start the demo portals: {error}");
                        return ExitCode::FAILURE;
                    }
                }
            } else {
                Vec::new()
            };
            serve(settings, portals).await
        }
        command => match cli::run(&settings, command).await {
            Ok(message) => {
                println!("{message}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn serve(mut settings: Settings, portals: Vec<DemoPortal>) -> ExitCode {
    for portal in &portals {
        settings.embed.product_mut(portal.product).allowed_origins.push(portal.origin());
    }
    let application = match Application::build(settings).await {
        Ok(application) => application,
        Err(error) => {
            eprintln!("cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(demo) = &application.demo_admin {
        // Printed once, to the terminal only: the password is never logged.
        println!(
            "\nFirst start: created the demo admin of {}.\n  Sign-in name: {}\n  Password:     {}\n",
            demo.company,
            demo.sign_in_name,
            demo.password.expose()
        );
    }
    for portal in portals {
        let origin = portal.origin();
        let product = portal.product;
        if let Err(error) = portal.serve(&application.state.core, application.base_url.clone(), 1).await {
            eprintln!("cannot start the demo portal of {product}: {error}");
            return ExitCode::FAILURE;
        }
        println!("Demo portal of {}: {origin}/", product.name());
    }
    // Behind a proxy the public URL is not where this process listens: both are said.
    let listening = application.local_addr();
    let base = &application.base_url;
    let here = match base.host() {
        Some(url::Host::Ipv4(ip)) => std::net::IpAddr::V4(ip) == listening.ip(),
        Some(url::Host::Ipv6(ip)) => std::net::IpAddr::V6(ip) == listening.ip(),
        _ => false,
    };
    match here && base.port_or_known_default() == Some(listening.port()) {
        true => println!("OAuth Opt-In is serving {base}  (Ctrl-C or SIGTERM stops it)"),
        false => println!("OAuth Opt-In is serving {base} (listening on {listening})  (Ctrl-C or SIGTERM stops it)"),
    }
    match application.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server error: {error}");
            ExitCode::FAILURE
        }
    }
}
