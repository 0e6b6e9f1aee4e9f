//! What a service holds for its whole life and hands to every request — its database
//! pool, its Redis, its queues — kept by type, so that each part reads what it needs
//! without one struct that knows them all.

use std::any::{Any, TypeId};
use std::sync::Arc;

/// The shared objects of a running service, one per type.
#[derive(Default)]
pub(crate) struct Resources {
    items: Vec<(TypeId, Box<dyn Any + Send + Sync>)>,
}

impl Resources {
    /// Adds `value`, replacing the one of its type, if any.
    pub(crate) fn insert<T: Any + Send + Sync>(&mut self, value: T) {
        let id = TypeId::of::<T>();
        self.items.retain(|(t, _)| *t != id);
        self.items.push((id, Box::new(value)));
    }

    /// The object of type `T`, if there is one.
    pub(crate) fn get<T: Any>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.items
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, v)| v.downcast_ref())
    }

    /// The resources the pipeline handed to `req`; a 503 where there are none (a request
    /// that did not come through a flyer server).
    pub(crate) fn of(req: &poem::Request) -> poem::Result<&Arc<Self>> {
        req.extensions().get::<Arc<Self>>().ok_or_else(|| {
            poem::Error::from_string(
                "no dependencies are set up in this server",
                poem::http::StatusCode::SERVICE_UNAVAILABLE,
            )
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_object_per_type() {
        let mut r = super::Resources::default();
        r.insert(1u32);
        r.insert("a");
        r.insert(2u32);
        assert_eq!(r.get::<u32>(), Some(&2));
        assert_eq!(r.get::<&str>(), Some(&"a"));
        assert_eq!(r.get::<u64>(), None);
    }
}
