use clap::Parser;
use server::{
    cli::{self, Cli, Command},
    settings::Settings,
    startup::Application,
};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info")),
        )
        .init();
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
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

async fn serve(settings: Settings) -> ExitCode {
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
    println!("OAuth Opt-In is serving {}  (Ctrl-C stops it)", application.base_url);
    match application.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server error: {error}");
            ExitCode::FAILURE
        }
    }
}
