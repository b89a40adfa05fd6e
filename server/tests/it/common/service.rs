//! The server binary itself, run as an operator runs it: on a test's database, with the built-in
//! sandbox and `extra` settings as environment variables, stopped with SIGTERM or kill -9.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};
use url::Url;

/// `binary` (the server's, or a copy of it) as an operator runs it: with none of the `OPTIN_…`
/// settings of the environment the tests run in, only those the test gives it.
pub fn operator_command(binary: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(binary);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("OPTIN_")) {
        command.env_remove(name);
    }
    command
}

/// One run of the server binary on the test's database.
pub struct Service {
    child: Child,
    pub base: Url,
    /// Every line it has written to stdout and stderr so far (its log included).
    output: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Service {
    /// Starts it on `dir`'s database and key file (and a plain site there), with `extra` settings
    /// (`OPTIN_…`) on top.
    pub fn start(dir: &Path, extra: &[(&str, &str)]) -> Self {
        super::plain_site(dir);
        let site = [("OPTIN_SITE_ROOT", dir.to_str().expect("a UTF-8 path"))];
        let settings: Vec<_> = site.into_iter().chain(extra.iter().copied()).collect();
        Self::start_binary(Path::new(env!("CARGO_BIN_EXE_server")), dir, &settings)
    }

    /// Starts `binary` (a copy of the server's, say) on `dir`'s database and key file, with
    /// `extra` settings (`OPTIN_…`) on top; the site root is whatever those say.
    pub fn start_binary(binary: &Path, dir: &Path, extra: &[(&str, &str)]) -> Self {
        let mut command = operator_command(binary);
        let mut child = command
            .env("OPTIN_LISTEN", "127.0.0.1:0")
            .env("OPTIN_DATABASE", dir.join("optin.db"))
            .env("OPTIN_SECRET_KEY_FILE", dir.join("secret.key"))
            .env("OPTIN_SEED_DEMO", "false")
            .env("OPTIN_UPS__ENVIRONMENT", "sandbox")
            .env("RUST_LOG", "warn")
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        // Read what it prints (the log included) for as long as it runs, so it never blocks on a
        // full pipe; the first thing that matters is the address it serves on.
        let output = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (serving, address) = mpsc::channel();
        let stdout: Box<dyn std::io::Read + Send> = Box::new(child.stdout.take().expect("piped stdout"));
        let stderr: Box<dyn std::io::Read + Send> = Box::new(child.stderr.take().expect("piped stderr"));
        for stream in [stdout, stderr] {
            let (output, serving) = (output.clone(), serving.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if let Some(rest) = line.split("is serving ").nth(1) {
                        // Where it listens, when that is not its public URL (behind a proxy).
                        let listening = rest.split("(listening on ").nth(1).and_then(|rest| rest.split(')').next());
                        let base = match listening {
                            Some(address) => format!("http://{address}/"),
                            None => rest.split_whitespace().next().unwrap_or_default().to_owned(),
                        };
                        let _ = serving.send(base);
                    }
                    output.lock().unwrap().push(line);
                }
            });
        }
        let base = address.recv_timeout(Duration::from_secs(20)).expect("the server says where it serves");
        Self { child, base: Url::parse(&base).expect("a base URL"), output }
    }

    /// What it has printed so far, its log included.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// The process's resident memory, in bytes (Linux).
    pub fn rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc status");
        let line = status.lines().find(|line| line.starts_with("VmRSS:")).expect("VmRSS");
        line.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).expect("a size in kB") * 1024
    }

    pub fn kill_9(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("the process is reaped");
    }

    pub fn terminate(mut self) {
        // The shell's own `kill`: no procps needed on a fresh machine.
        let sent =
            Command::new("sh").args(["-c", &format!("kill -TERM {}", self.child.id())]).status().expect("sh runs");
        assert!(sent.success());
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                assert!(status.success(), "a clean exit after SIGTERM: {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server did not stop within 20 s of SIGTERM");
    }
}

impl Drop for Service {
    /// A failing test leaves no server behind (holding its database and the test run's output).
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
