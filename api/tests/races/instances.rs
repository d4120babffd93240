//! `dateline serve` processes on one database, for the tests of several
//! instances acting as one service.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

/// Running instances, stopped however the test ends.
pub struct Instances {
    children: Vec<Child>,
    /// Their addresses (`127.0.0.1:port`), in the order they came up.
    pub addrs: Vec<String>,
    /// How many said they loaded the demo.
    pub loaded: usize,
    /// Everything they logged, to explain a failure.
    pub logs: Arc<Mutex<String>>,
}

impl Drop for Instances {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Instances {
    /// Starts `n` instances at once on `url` with `args` after `serve`, and
    /// waits until each serves.
    pub fn start(url: &str, n: usize, args: &[&str]) -> Self {
        let mut me = Self { children: Vec::new(), addrs: Vec::new(), loaded: 0, logs: Arc::default() };
        for _ in 0..n {
            me.children.push(
                Command::new(env!("CARGO_BIN_EXE_dateline"))
                    .args(["--database-url", url, "serve", "--bind", "127.0.0.1:0"])
                    .args(args)
                    .env("RUST_LOG", "info")
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap(),
            );
        }
        // The log on stderr says who loaded the demo before it says where
        // the instance serves, so every load is counted once every address
        // is known. Both pipes are read to the end, so that no instance
        // ever writes into a closed pipe.
        let (tx, rx) = std::sync::mpsc::channel();
        for child in &mut me.children {
            let stdout = child.stdout.take().unwrap();
            std::thread::spawn(move || for _ in BufReader::new(stdout).lines().map_while(Result::ok) {});
            let (stderr, tx, logs) = (child.stderr.take().unwrap(), tx.clone(), me.logs.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if line.contains("loaded demo content") {
                        let _ = tx.send(None);
                    }
                    if let Some(addr) = line.split("address=http://").nth(1) {
                        let _ = tx.send(Some(addr.trim().to_owned()));
                    }
                    let mut logs = logs.lock().unwrap();
                    logs.push_str(&line);
                    logs.push('\n');
                }
            });
        }
        drop(tx);
        while me.addrs.len() < n {
            match rx.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(Some(addr)) => me.addrs.push(addr),
                Ok(None) => me.loaded += 1,
                Err(e) => {
                    panic!("{} of {n} instances serve ({e}): {}", me.addrs.len(), me.logs.lock().unwrap())
                }
            }
        }
        me
    }

    /// Whether every instance is still running.
    pub fn all_running(&mut self) -> bool {
        self.children.iter_mut().all(|c| c.try_wait().unwrap().is_none())
    }
}
