//! The envelope every JSON answer wears: `{"code", "msg", "data", "request_id"}`, in
//! responses and in the spec.

use std::borrow::Cow;
use std::marker::PhantomData;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::registry::{
    MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, OpenApi};
use serde::Serialize;

use super::checks::{IntoError, ResponseData};
use super::{page, validation};
use crate::context;
use crate::error::{EnvelopeCode, Error, codes};

const JSON: &str = "application/json; charset=utf-8";
/// Name of the error envelope's schema in the spec's components.
pub(crate) const ERROR_SCHEMA: &str = "ErrorEnvelope";

#[derive(Serialize)]
struct Envelope<'a> {
    code: u32,
    msg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a serde_json::Value>,
    /// Where a [`Page`](super::page::Page)'s items are in the whole list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination: Option<&'a serde_json::Value>,
    request_id: &'a str,
}

/// Writes an envelope with the current request's id.
pub(crate) fn respond(
    status: StatusCode,
    code: u32,
    msg: &str,
    data: Option<&serde_json::Value>,
) -> Response {
    respond_with(status, code, msg, data, None)
}

/// A success envelope of `data`, with the top-level `pagination` when it is a page.
fn respond_data(data: Option<serde_json::Value>) -> Response {
    match data.map(page::split) {
        Some(Ok((items, pagination))) => respond_with(
            StatusCode::OK,
            codes::SUCCESS,
            "success",
            items.as_ref(),
            Some(&pagination),
        ),
        Some(Err(data)) => respond(StatusCode::OK, codes::SUCCESS, "success", Some(&data)),
        None => respond(StatusCode::OK, codes::SUCCESS, "success", None),
    }
}

fn respond_with(
    status: StatusCode,
    code: u32,
    msg: &str,
    data: Option<&serde_json::Value>,
    pagination: Option<&serde_json::Value>,
) -> Response {
    let body = context::with_id(|request_id| {
        serde_json::to_vec(&Envelope {
            code,
            msg,
            data,
            pagination,
            request_id,
        })
    });
    match body {
        Ok(body) => {
            let mut resp = Response::builder()
                .status(status)
                .header(header::CONTENT_TYPE, HeaderValue::from_static(JSON))
                .body(body);
            resp.extensions_mut().insert(EnvelopeCode(code));
            resp
        }
        // A `Value` always serialises; this is the last resort, not a path in use.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if self.code() == codes::INTERNAL {
            context::with_id(|id| match self.source() {
                Some(source) => tracing::error!(request_id = id, error = %source, "{}", self.msg()),
                None => tracing::error!(request_id = id, "{}", self.msg()),
            });
        }
        let mut resp = respond(self.status(), self.code(), self.msg(), self.data());
        for (name, value) in self.headers() {
            resp.headers_mut().insert(name.clone(), value.clone());
        }
        resp
    }
}

/// The response of a generated operation `M`: the handler's data or its error, each
/// answered as an envelope. Not for direct use.
#[doc(hidden)]
pub struct Reply<T, M>(Outcome<T>, PhantomData<fn() -> M>);

enum Outcome<T> {
    Data(T),
    Error(Error),
    /// An answer made elsewhere: by the worker that ran the request, or a refusal.
    Raw(Response),
}

impl<T, M> Reply<T, M> {
    pub fn data(value: T) -> Self {
        Reply(Outcome::Data(value), PhantomData)
    }
    pub fn result<E: IntoError>(result: std::result::Result<T, E>) -> Self {
        match result {
            Ok(value) => Self::data(value),
            Err(err) => Self::error(err.into_error()),
        }
    }
    pub fn error(err: Error) -> Self {
        Reply(Outcome::Error(err), PhantomData)
    }
    pub fn raw(resp: Response) -> Self {
        Reply(Outcome::Raw(resp), PhantomData)
    }
}

impl<M> Reply<NoData, M> {
    pub fn unit(_: ()) -> Self {
        Self::data(NoData)
    }
    pub fn unit_result<E: IntoError>(result: std::result::Result<(), E>) -> Self {
        Self::result(result.map(|()| NoData))
    }
}

impl<T: ResponseData, M> IntoResponse for Reply<T, M> {
    fn into_response(self) -> Response {
        match self.0 {
            Outcome::Data(value) => respond_data(value.to_json()),
            Outcome::Error(err) => err.into_response(),
            Outcome::Raw(resp) => resp,
        }
    }
}

fn envelope_schema(data: Option<MetaSchemaRef>) -> MetaSchema {
    let mut properties = vec![("code", i32::schema_ref()), ("msg", String::schema_ref())];
    if let Some(data) = data {
        properties.push(("data", data));
    }
    properties.push(("request_id", String::schema_ref()));
    MetaSchema {
        required: vec!["code", "msg", "request_id"],
        properties,
        ..MetaSchema::new("object")
    }
}

pub(crate) fn error_response(status: u16, description: &'static str) -> MetaResponse {
    MetaResponse {
        description,
        status: Some(status),
        status_range: None,
        content: vec![MetaMediaType {
            content_type: JSON,
            schema: MetaSchemaRef::Reference(ERROR_SCHEMA.to_owned()),
        }],
        headers: vec![],
    }
}

/// The responses of an operation beyond its own: 400 when it has something to validate,
/// 413 when it takes a body, and, once, as `default`, the errors any route can answer
/// whatever it declares.
pub(crate) fn error_responses(validates: bool, takes_body: bool) -> Vec<MetaResponse> {
    let mut responses = Vec::new();
    if validates {
        responses.push(error_response(
            400,
            "40000: the request failed validation; `data` lists every problem",
        ));
    }
    if takes_body {
        responses.push(error_response(
            413,
            "41300: the body is larger than flyer_body_limit",
        ));
    }
    let mut default = error_response(
        0,
        "an error any route can answer: 40800 (408, the request came too slowly), 43100 (431, its headers are too large), 50000 (500, internal error; the detail is logged, never sent), 50400 (504, the handler did not answer within flyer_timeout)",
    );
    default.status = None;
    responses.push(default);
    responses
}

/// The 401 of an operation behind Basic auth.
pub(crate) fn unauthorized_response() -> MetaResponse {
    error_response(401, "40100: credentials missing or wrong")
}

pub(crate) fn register_error_schema(registry: &mut Registry) {
    registry.create_schema::<Error, _>(ERROR_SCHEMA.to_owned(), |_| {
        let mut schema = envelope_schema(Some(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY))));
        schema.description = Some(
            "An error: `code` says what happened, `msg` says it in words; for 40000, `data` lists every problem as {loc, msg, type}.",
        );
        schema
    });
}

impl<T: ResponseData, M: OpenApi> ApiResponse for Reply<T, M> {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        let data = (T::name() != NoData::name()).then(T::schema_ref);
        let mut envelope = envelope_schema(data);
        if page::is_page(&T::name()) {
            page::add_pagination(&mut envelope);
        }
        // The error responses depend on the operation: `api::openapi` adds them.
        MetaResponses {
            responses: vec![MetaResponse {
                description: "success",
                status: Some(200),
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: JSON,
                    schema: MetaSchemaRef::Inline(Box::new(envelope)),
                }],
                headers: vec![],
            }],
        }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
        register_error_schema(registry);
    }

    fn from_parse_request_error(err: poem::Error) -> Self {
        // Only a request that failed to parse is a validation failure; an extractor may
        // fail otherwise (a dependency that is down, say).
        if !matches!(
            err.status(),
            StatusCode::BAD_REQUEST | StatusCode::UNSUPPORTED_MEDIA_TYPE
        ) {
            return Reply::error(Error::from_poem(err));
        }
        Reply::error(validation::refusal(validation::problems::<M>(&err)))
    }
}

/// The data of an endpoint that returns `()`: the envelope has no `data`.
#[doc(hidden)]
pub struct NoData;

impl Type for NoData {
    const IS_REQUIRED: bool = false;
    type RawValueType = ();
    type RawElementValueType = ();

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("flyer::NoData")
    }
    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::ANY))
    }
    fn as_raw_value(&self) -> Option<&()> {
        None
    }
    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a ()> + 'a> {
        Box::new(std::iter::empty())
    }
}

impl ToJSON for NoData {
    fn to_json(&self) -> Option<serde_json::Value> {
        None
    }
}
