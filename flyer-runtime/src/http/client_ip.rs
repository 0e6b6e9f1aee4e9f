//! The client's IP address: the peer's, or — when the peer is a trusted proxy
//! (`flyer_trusted_proxies`) — the right-most address of `X-Forwarded-For` that is not
//! itself a trusted proxy. Addresses a client wrote further left are never believed.

use std::net::IpAddr;

use ipnet::IpNet;
use poem::Request;

use crate::extract::client_ip::ClientIp;

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    proxies.iter().any(|net| net.contains(&ip))
}

/// Resolves the client's address of `req`.
pub(crate) fn resolve(req: &Request, proxies: &[IpNet]) -> Option<IpAddr> {
    let mut candidate = ClientIp::peer(req)?;
    if proxies.is_empty() || !trusted(candidate, proxies) {
        return Some(candidate);
    }
    let hops = req
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) => {
                candidate = ip.to_canonical();
                if !trusted(candidate, proxies) {
                    break;
                }
            }
            // A trusted proxy passed on garbage: the last address we can vouch for.
            Err(_) => break,
        }
    }
    Some(candidate)
}
