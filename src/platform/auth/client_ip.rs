//! The client's address for the audit trail and the login throttle.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The socket peer, unless the peer is a trusted proxy: then `X-Forwarded-For` is walked from
/// the right (the hop our proxy added) and the first address that is not itself a trusted proxy
/// is the client. Entries to the left of it were written by the client and are ignored, so a
/// forged header cannot choose the address we record.
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = req.peer_addr().map(|a| a.ip())?;
    resolve(peer, forwarded_for(req).as_deref(), trusted)
}

fn forwarded_for(req: &HttpRequest) -> Option<String> {
    let values: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(","))
    }
}

pub fn resolve(peer: IpAddr, xff: Option<&str>, trusted: &[IpNet]) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let Some(xff) = xff else { return Some(peer) };
    let mut client = peer;
    for hop in xff.rsplit(',').map(str::trim) {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    return Some(ip);
                }
            }
            // A hop we cannot read ends the walk: the last good address is the best we know.
            Err(_) => return Some(client),
        }
    }
    Some(client)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(
            resolve(ip("203.0.113.9"), Some("1.2.3.4"), &[]),
            Some(ip("203.0.113.9"))
        );
    }

    #[test]
    fn trusted_proxy_forwards_the_nearest_untrusted_hop() {
        let trusted: Vec<IpNet> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        assert_eq!(
            resolve(ip("127.0.0.1"), Some("198.51.100.7"), &trusted),
            Some(ip("198.51.100.7"))
        );
        // The client wrote "6.6.6.6" itself; our proxies appended the real address after it.
        assert_eq!(
            resolve(
                ip("127.0.0.1"),
                Some("6.6.6.6, 198.51.100.7, 10.1.1.1"),
                &trusted
            ),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            resolve(ip("127.0.0.1"), None, &trusted),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            resolve(ip("127.0.0.1"), Some("garbage"), &trusted),
            Some(ip("127.0.0.1"))
        );
    }
}
