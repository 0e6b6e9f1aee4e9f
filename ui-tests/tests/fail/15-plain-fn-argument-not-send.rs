use std::rc::Rc;

use flyer_runtime::prelude::*;
use poem::{FromRequest, Request, RequestBody};

/// A user-written extractor that is not `Send`.
struct Visits(Rc<u32>);

impl<'a> FromRequest<'a> for Visits {
    async fn from_request(_req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Visits(Rc::new(0)))
    }
}

#[endpoint(GET, "/visits")]
fn visits(visits: Visits) -> u32 {
    *visits.0
}

fn main() {}
