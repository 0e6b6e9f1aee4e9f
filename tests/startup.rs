//! Start-up refuses what would route or document wrongly, naming both functions. These
//! endpoints conflict on purpose, so they live in their own test binary.

use flyer_runtime::prelude::*;
use flyer_runtime::{App, Config, ServiceInfo};

mod first {
    use flyer_runtime::prelude::*;

    /// A user.
    #[derive(Object)]
    pub(crate) struct User {
        pub name: String,
    }

    #[endpoint(GET, "/users/{id}")]
    pub(crate) async fn get_user(id: Path<u32>) -> User {
        User {
            name: id.0.to_string(),
        }
    }

    #[endpoint(POST, "/orders", operation_id = "order")]
    pub(crate) async fn create_order() {}
}

mod second {
    use flyer_runtime::prelude::*;

    /// Another type with the same schema name.
    #[derive(Object)]
    pub(crate) struct User {
        pub id: u64,
    }

    #[endpoint(GET, "/users/{id}")]
    pub(crate) async fn get_user_again(id: Path<u32>) -> User {
        User { id: id.0.into() }
    }

    #[endpoint(PUT, "/users/{uid}")]
    pub(crate) async fn put_user(uid: Path<u32>) -> u32 {
        uid.0
    }

    #[endpoint(GET, "/orders", operation_id = "order")]
    pub(crate) async fn list_orders() {}
}

mod hosts {
    use flyer_runtime::prelude::*;

    #[endpoint(GET, "/hosts/{id}")]
    pub(crate) async fn host_by_id(id: Path<u32>) -> u32 {
        id.0
    }

    #[endpoint(GET, "/hosts/{name}", operation_id = "host_by_name")]
    pub(crate) async fn host_by_name(name: Path<String>) -> String {
        name.0
    }
}

type Sneaky = Path<u32>;

/// A `Path` alias whose name is not in the path: only visible once the type is known.
#[endpoint(GET, "/sneaky")]
async fn sneaky(id: Sneaky) -> u32 {
    id.0
}

#[test]
fn conflicts_stop_start_up_naming_both_functions() {
    let config = Config::from_lookup(|_| None).unwrap();
    let info = ServiceInfo {
        name: "conflicts",
        version: "0.0.0",
        description: None,
    };
    let err = match App::new(info, config).endpoint() {
        Ok(_) => panic!("conflicting endpoints were accepted"),
        Err(err) => err.to_string(),
    };
    let expect = [
        "duplicate route GET /users/{id}: defined by `startup::first::get_user` (tests/startup.rs:",
        "and by `startup::second::get_user_again` (tests/startup.rs:",
        "GET /users/{id} of `startup::first::get_user`",
        "PUT /users/{uid} of `startup::second::put_user`",
        "give one path parameter two names ({id} vs {uid})",
        "GET /hosts/{id} of `startup::hosts::host_by_id`",
        "GET /hosts/{name} of `startup::hosts::host_by_name`",
        "give one path parameter two names ({id} vs {name})",
        "duplicate operation id `order`: used by `startup::second::list_orders` (tests/startup.rs:",
        "and by `startup::first::create_order` (tests/startup.rs:",
        "two types have the schema name `User`",
        "the argument `id` is a path parameter, but /sneaky has no `{id}`",
    ];
    for part in expect {
        assert!(err.contains(part), "missing {part:?} in:\n{err}");
    }
    // Two names for one parameter is not also a "duplicate route".
    assert!(!err.contains("duplicate route GET /hosts"), "{err}");
    let _ = Error::internal("keeps the prelude import used");
}

#[test]
fn the_readme_documents_every_variable() {
    let readme = include_str!("../README.md");
    for var in flyer_runtime::config::VARS {
        assert!(
            readme.contains(&format!("| `{}` |", var.name)),
            "README.md's configuration table lacks {}",
            var.name
        );
    }
}

/// `routes` and `openapi` refuse what `serve` refuses: they would list both routes, or
/// document only the second.
#[test]
fn every_command_runs_the_start_up_checks() {
    let info = ServiceInfo {
        name: "conflicts",
        version: "0.0.0",
        description: None,
    };
    for command in ["routes", "openapi", "serve"] {
        let code = flyer_runtime::__private::Main::new(info).run_with(["conflicts", command]);
        assert_eq!(code, 1, "`{command}` accepted conflicting endpoints");
    }
}
