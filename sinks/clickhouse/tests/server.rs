//! A throw-away `clickhouse-server` on a free loopback port, its data in a
//! temporary folder; killed on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use steamflow_source_core::testing::{find_program, free_port, require};

pub struct ClickHouseServer {
    child: Option<Child>,
    program: PathBuf,
    config: PathBuf,
    pub http_port: u16,
    /// The native protocol port (clickhouse-client, in the benchmark).
    #[allow(dead_code)]
    pub tcp_port: u16,
    _dir: tempfile::TempDir,
}

impl ClickHouseServer {
    /// Starts a server, or `None` (skip, with the reason printed) when
    /// clickhouse-server is not installed and not under CI.
    pub fn start(test: &str) -> Option<ClickHouseServer> {
        let program = require(find_program("clickhouse-server"), "clickhouse-server", test)?;
        let dir = tempfile::tempdir().expect("temp dir");
        let http_port = free_port();
        let tcp_port = free_port();
        let config = dir.path().join("config.xml");
        std::fs::write(&config, config_xml(dir.path(), http_port, tcp_port)).expect("config");
        let mut server = ClickHouseServer {
            child: None,
            program,
            config,
            http_port,
            tcp_port,
            _dir: dir,
        };
        server.restart();
        Some(server)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.http_port)
    }

    /// Starts the server process (again) and waits until it answers.
    pub fn restart(&mut self) {
        let child = Command::new(&self.program)
            .arg(format!("--config-file={}", self.config.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("clickhouse-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.ping() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "clickhouse-server did not answer on port {} within 60 s",
            self.http_port
        );
    }

    /// Kills the server (an outage).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    fn ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.http_port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let request = "GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        if stream.write_all(request.as_bytes()).is_err() {
            return false;
        }
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer.ends_with("Ok.\n")
    }

    /// Runs a query over HTTP, returning the body (TabSeparated).
    pub fn query(&self, sql: &str) -> String {
        use std::io::{Read, Write};
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", self.http_port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .expect("timeout");
        let request = format!(
            "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n\r\n{sql}",
            sql.len()
        );
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(
            head.starts_with("HTTP/1.0 200") || head.starts_with("HTTP/1.1 200"),
            "{sql}: {answer}"
        );
        body.to_owned()
    }
}

impl Drop for ClickHouseServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn config_xml(dir: &Path, http_port: u16, tcp_port: u16) -> String {
    let dir = dir.display();
    format!(
        r#"<?xml version="1.0"?>
<yandex>
    <logger><level>warning</level><log>{dir}/server.log</log><errorlog>{dir}/server.err.log</errorlog></logger>
    <http_port>{http_port}</http_port>
    <tcp_port>{tcp_port}</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <path>{dir}/data/</path>
    <tmp_path>{dir}/data/tmp/</tmp_path>
    <user_files_path>{dir}/data/user_files/</user_files_path>
    <format_schema_path>{dir}/data/format_schemas/</format_schema_path>
    <mark_cache_size>67108864</mark_cache_size>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <profiles><default></default></profiles>
    <quotas><default></default></quotas>
    <timezone>UTC</timezone>
</yandex>
"#
    )
}
