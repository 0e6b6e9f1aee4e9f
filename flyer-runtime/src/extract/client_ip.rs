//! `ip: ClientIp`: the client's address, as the pipeline resolved it (through trusted
//! proxies only).

use std::net::IpAddr;

use poem::{FromRequest, Request, RequestBody};

/// The client's IP address, as an endpoint argument: `ip: ClientIp`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// The peer's address of `req`: the client's when no proxy stands between.
    pub(crate) fn peer(req: &Request) -> Option<IpAddr> {
        req.remote_addr()
            .as_socket_addr()
            .map(|a| a.ip().to_canonical())
    }

    /// The address of `req`: as the pipeline resolved it, else the peer's.
    pub(crate) fn of(req: &Request) -> Option<IpAddr> {
        req.extensions()
            .get::<ClientIp>()
            .map_or_else(|| Self::peer(req), |ip| ip.0)
    }
}

impl<'a> FromRequest<'a> for ClientIp {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(ClientIp(Self::of(req)))
    }
}
