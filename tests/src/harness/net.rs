//! Free loopback ports and a minimal HTTP health probe, both with plain `std` networking.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// Reserves `n` distinct free ports by binding port 0, then releases them for the server to take. Another
/// process may grab one in between; the server then fails with "address already in use" and
/// [`super::Server`] retries with fresh ports.
pub fn free_ports(n: usize) -> std::io::Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind((Ipv4Addr::LOCALHOST, 0)))
        .collect::<std::io::Result<Vec<_>>>()?;
    listeners
        .iter()
        .map(|l| l.local_addr().map(|a| a.port()))
        .collect()
}

/// `GET path` on loopback `port`; true when the answer is 200 and its body contains `expect`.
pub fn http_ok(port: u16, path: &str, expect: &str) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(500)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request =
        format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    if stream.read_to_end(&mut response).is_err() {
        return false;
    }
    let response = String::from_utf8_lossy(&response);
    let status_ok = response
        .lines()
        .next()
        .is_some_and(|line| line.split_whitespace().nth(1) == Some("200"));
    let body = response.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    status_ok && body.contains(expect)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn serve_once(response: &'static str) -> u16 {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            conn.write_all(response.as_bytes()).unwrap();
        });
        port
    }

    #[test]
    fn probe_needs_status_200_and_the_expected_body() {
        let ok = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"health\":true}");
        assert!(http_ok(ok, "/health", "\"health\":true"));
        let unhealthy = serve_once("HTTP/1.1 503 Service Unavailable\r\n\r\n{\"health\":true}");
        assert!(!http_ok(unhealthy, "/health", "\"health\":true"));
        let wrong_body = serve_once("HTTP/1.1 200 OK\r\n\r\n{\"health\":false}");
        assert!(!http_ok(wrong_body, "/health", "\"health\":true"));
    }

    #[test]
    fn probe_of_a_closed_port_is_false() {
        let port = free_ports(1).unwrap()[0];
        assert!(!http_ok(port, "/", ""));
    }

    #[test]
    fn reserved_ports_are_distinct() {
        let ports = free_ports(8).unwrap();
        let mut unique = ports.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 8);
    }
}
