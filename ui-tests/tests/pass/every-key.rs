//! Every key of `#[endpoint]`, every kind of argument, `Result<T, E>` with a std error,
//! plain `fn`s and validators on arguments.

use flyer_runtime::prelude::*;

#[derive(Object)]
struct NewUser {
    #[oai(validator(min_length = 1, max_length = 32))]
    name: String,
}

#[derive(Object, serde::Deserialize)]
struct Login {
    user: String,
    password: String,
}

/// Create a user.
///
/// Every key at once.
#[endpoint(
    POST,
    "/users",
    tag = "users",
    tags = ["admin", "accounts"],
    summary = "Create a user",
    operation_id = "createUser",
    deprecated = true,
    hidden = false
)]
async fn create_user(
    body: Json<NewUser>,
    #[oai(name = "X-Request-Source")] source: Header<Option<String>>,
) -> Result<String> {
    Ok(format!("{} (from {:?})", body.name, source.0))
}

/// Log in with a form.
#[endpoint(post, "/login", tags("accounts", "sessions"), hidden)]
async fn login(form: Form<Login>, session: Cookie<Option<String>>) -> Result<()> {
    if form.user.is_empty() || form.password.is_empty() {
        return Err(Error::bad_request("empty credentials"));
    }
    let _ = session.0;
    Ok(())
}

/// Parse a number: `Result<T, E>` with a std error type.
#[endpoint(GET, "/parse", deprecated)]
async fn parse(
    #[oai(validator(max_length = 20))] text: Query<String>,
) -> std::result::Result<i64, std::num::ParseIntError> {
    text.0.parse()
}

/// A blocking endpoint with a validated path parameter.
#[endpoint(GET, "/fib/{n}", tag = "math", operation_id = "fibonacci")]
fn fib(#[oai(validator(maximum(value = "90")))] n: Path<u32>) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..*n {
        (a, b) = (b, a + b);
    }
    a
}

/// A blocking endpoint with a std error and a header.
#[endpoint(PATCH, "/ratio", tag = "math")]
fn ratio(
    #[oai(name = "X-Numerator")] num: Header<String>,
    #[oai(validator(minimum(value = "1")))] den: Query<u32>,
) -> std::result::Result<f64, std::num::ParseFloatError> {
    Ok(num.0.parse::<f64>()? / f64::from(den.0))
}

fn main() {}
