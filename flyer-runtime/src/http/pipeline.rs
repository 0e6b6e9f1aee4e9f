//! What every request goes through, in order: its id and client address are fixed, Basic
//! auth is checked, the body is read within `flyer_body_limit`, the handler runs within
//! `flyer_timeout` with its panics caught, whatever error escapes becomes an envelope,
//! and the response gets its headers and its access-log line.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use http_body_util::{BodyExt, Limited};
use poem::endpoint::BoxEndpoint;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};

use super::access_log::{self, AccessLog, Entry};
use super::{auth, client_ip};
use crate::api::{open, registry};
use crate::config::Config;
use crate::context::{self, Current, REQUEST_ID_HEADER};
use crate::error::{EnvelopeCode, Error, codes, panic_message};
use crate::extract::client_ip::ClientIp;
use crate::extract::state::Resources;

/// The settings the pipeline enforces, from [`Config`].
pub(crate) struct Pipeline {
    inner: BoxEndpoint<'static>,
    resources: Arc<Resources>,
    prefix: String,
    timeout: Duration,
    body_limit: usize,
    error_status_200: bool,
    trusted_proxies: Vec<ipnet::IpNet>,
    auth: Option<auth::Guard>,
    access_log: Option<AccessLog>,
}

impl Pipeline {
    pub(crate) fn new(
        inner: BoxEndpoint<'static>,
        resources: Arc<Resources>,
        config: &Config,
    ) -> std::io::Result<Self> {
        Ok(Pipeline {
            inner,
            resources,
            prefix: config.prefix(),
            timeout: config.server.timeout,
            body_limit: config.server.body_limit,
            error_status_200: config.server.error_status_200,
            trusted_proxies: config.server.trusted_proxies.clone(),
            auth: config.server.auth.as_ref().map(auth::Guard::new),
            access_log: AccessLog::open(&config.log)?,
        })
    }

    /// Reads the body within the limit. `Err` is the answer to give instead.
    async fn read_body(&self, req: &mut Request) -> Result<Option<bytes::Bytes>, Response> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.body_limit as u64) {
            return Err(too_large(self.body_limit));
        }
        let has_body = declared.is_some_and(|n| n > 0)
            || req.headers().contains_key(header::TRANSFER_ENCODING);
        if !has_body {
            return Ok(None);
        }
        let body = req.take_body();
        match Limited::new(
            http_body_util::combinators::BoxBody::from(body),
            self.body_limit,
        )
        .collect()
        .await
        {
            Ok(collected) => {
                let bytes = collected.to_bytes();
                req.set_body(Body::from(bytes.clone()));
                Ok(Some(bytes))
            }
            Err(err) if err.is::<http_body_util::LengthLimitError>() => {
                Err(too_large(self.body_limit))
            }
            Err(err) => Err(
                Error::bad_request(format!("cannot read the request body: {err}")).into_response(),
            ),
        }
    }

    async fn handle(&self, req: Request) -> Response {
        if let Some(guard) = &self.auth
            && !open::is_open(req.uri().path(), &self.prefix)
            && !guard.admits(&req)
        {
            let mut resp = Error::unauthorized("credentials missing or wrong").into_response();
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"flyer\", charset=\"UTF-8\""),
            );
            return resp;
        }
        let path = req.uri().path().to_owned();
        let fut = AssertUnwindSafe(self.inner.call(req)).catch_unwind();
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(Ok(Ok(resp))) => resp,
            Ok(Ok(Err(err))) => {
                let method_not_allowed = err.status() == StatusCode::METHOD_NOT_ALLOWED;
                let mut resp = Error::from_poem(err).into_response();
                if method_not_allowed {
                    let allowed = registry::allowed_methods(&path, &self.prefix).join(", ");
                    if let Ok(value) = HeaderValue::from_str(&allowed) {
                        resp.headers_mut().insert(header::ALLOW, value);
                    }
                }
                resp
            }
            Ok(Err(panic)) => {
                let what = panic_message(&*panic);
                context::with_id(|id| {
                    tracing::error!(request_id = id, panic = what, "handler panicked")
                });
                Error::internal("internal error").into_response()
            }
            Err(_) => Error::handler_timeout(format!(
                "the handler did not answer within {:?}",
                self.timeout
            ))
            .into_response(),
        }
    }
}

fn too_large(limit: usize) -> Response {
    Error::body_too_large(format!("the request body is larger than {limit} bytes")).into_response()
}

impl Endpoint for Pipeline {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let started = Instant::now();
        let id = context::id_of(&req);
        let ip = client_ip::resolve(&req, &self.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
        req.extensions_mut().insert(Arc::clone(&self.resources));
        let logged = self.access_log.as_ref().map(|_| {
            (
                req.method().clone(),
                req.uri().path().to_owned(),
                req.headers()
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned(),
            )
        });
        let json = context::is_json(req.headers());
        let reading = Current {
            id: id.clone(),
            body: None,
            json,
        };
        let mut resp = match context::scope(reading, self.read_body(&mut req)).await {
            Err(resp) => resp,
            Ok(body) => {
                let handling = Current {
                    id: id.clone(),
                    body,
                    json,
                };
                context::scope(handling, self.handle(req)).await
            }
        };

        let code = resp.extensions().get::<EnvelopeCode>().map(|c| c.0);
        if self.error_status_200 && code.is_some_and(|c| c != codes::SUCCESS) {
            resp.set_status(StatusCode::OK);
        }
        let elapsed = started.elapsed();
        let headers = resp.headers_mut();
        headers.insert(REQUEST_ID_HEADER, context::header_value(&id));
        if let Ok(ms) = HeaderValue::from_str(&format!("{:.3}", elapsed.as_secs_f64() * 1e3)) {
            headers.insert("x-lasting-time", ms);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        if let (Some(log), Some((method, path, user_agent))) = (&self.access_log, logged) {
            log.write(&Entry {
                timestamp: access_log::now(),
                method: method.as_str(),
                path: &path,
                status: resp.status().as_u16(),
                code,
                latency_ms: elapsed.as_secs_f64() * 1e3,
                client_ip: ip,
                request_id: &id,
                user_agent: &user_agent,
            });
        }
        Ok(resp)
    }
}
