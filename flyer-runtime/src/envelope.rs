//! The envelope every JSON answer wears: `{"code", "msg", "data", "request_id"}`, in
//! responses and in the spec.

use std::borrow::Cow;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{IntoResponse, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{
    MetaMediaType, MetaResponse, MetaResponses, MetaSchema, MetaSchemaRef, Registry,
};
use poem_openapi::types::{ToJSON, Type};
use serde::Serialize;

use crate::checks::ResponseData;
use crate::error::{Error, codes};
use crate::request_id;

const JSON: &str = "application/json; charset=utf-8";
/// Name of the error envelope's schema in the spec's components.
pub(crate) const ERROR_SCHEMA: &str = "ErrorEnvelope";

#[derive(Serialize)]
struct Envelope<'a> {
    code: u32,
    msg: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a serde_json::Value>,
    request_id: &'a str,
}

/// Writes an envelope with the current request's id.
pub(crate) fn respond(
    status: StatusCode,
    code: u32,
    msg: &str,
    data: Option<&serde_json::Value>,
) -> Response {
    let body = request_id::with_current(|request_id| {
        serde_json::to_vec(&Envelope {
            code,
            msg,
            data,
            request_id,
        })
    });
    match body {
        Ok(body) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, HeaderValue::from_static(JSON))
            .body(body),
        // A `Value` always serialises; this is the last resort, not a path in use.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if self.code() == codes::INTERNAL {
            request_id::with_current(|id| match self.source() {
                Some(source) => tracing::error!(request_id = id, error = %source, "{}", self.msg()),
                None => tracing::error!(request_id = id, "{}", self.msg()),
            });
        }
        respond(self.status(), self.code(), self.msg(), self.data())
    }
}

/// The response of a generated operation: the handler's data or its error, each
/// answered as an envelope. Not for direct use.
#[doc(hidden)]
pub struct Reply<T>(std::result::Result<T, Error>);

impl<T> Reply<T> {
    pub fn data(value: T) -> Self {
        Reply(Ok(value))
    }
    pub fn result<E: Into<Error>>(result: std::result::Result<T, E>) -> Self {
        Reply(result.map_err(Into::into))
    }
    pub fn error(err: Error) -> Self {
        Reply(Err(err))
    }
}

impl Reply<NoData> {
    pub fn unit(_: ()) -> Self {
        Reply(Ok(NoData))
    }
    pub fn unit_result<E: Into<Error>>(result: std::result::Result<(), E>) -> Self {
        Reply(result.map(|()| NoData).map_err(Into::into))
    }
}

impl<T: ResponseData> IntoResponse for Reply<T> {
    fn into_response(self) -> Response {
        match self.0 {
            Ok(value) => respond(
                StatusCode::OK,
                codes::SUCCESS,
                "success",
                value.to_json().as_ref(),
            ),
            Err(err) => err.into_response(),
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

/// Documented error responses of every operation.
fn error_responses() -> Vec<MetaResponse> {
    let error = || {
        vec![MetaMediaType {
            content_type: JSON,
            schema: MetaSchemaRef::Reference(ERROR_SCHEMA.to_owned()),
        }]
    };
    vec![
        MetaResponse {
            description: "40000: the request failed validation",
            status: Some(400),
            status_range: None,
            content: error(),
            headers: vec![],
        },
        MetaResponse {
            description: "50000: internal error",
            status: Some(500),
            status_range: None,
            content: error(),
            headers: vec![],
        },
    ]
}

pub(crate) fn register_error_schema(registry: &mut Registry) {
    registry.create_schema::<Error, _>(ERROR_SCHEMA.to_owned(), |_| {
        let mut schema = envelope_schema(Some(MetaSchemaRef::Inline(Box::new(MetaSchema::ANY))));
        schema.description = Some("An error: `code` says what happened, `msg` says it in words.");
        schema
    });
}

impl<T: ResponseData> ApiResponse for Reply<T> {
    const BAD_REQUEST_HANDLER: bool = true;

    fn meta() -> MetaResponses {
        let data = (T::name() != NoData::name()).then(T::schema_ref);
        let mut responses = vec![MetaResponse {
            description: "success",
            status: Some(200),
            status_range: None,
            content: vec![MetaMediaType {
                content_type: JSON,
                schema: MetaSchemaRef::Inline(Box::new(envelope_schema(data))),
            }],
            headers: vec![],
        }];
        responses.extend(error_responses());
        MetaResponses { responses }
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
        register_error_schema(registry);
    }

    fn from_parse_request_error(err: poem::Error) -> Self {
        Reply(Err(Error::from_poem(err)))
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
