//! Values read from the database and kept in memory while the database says they are still
//! current. Each kind of value has a counter in `cache_versions` that triggers in the database
//! move whenever a row it was read from changes (see the migration that creates a counter), so
//! a change made by any handler, an import, a script or another instance on the same database
//! is seen at the next read: a cached value costs one point read of its counter instead of the
//! reads that made it. The counter is read before the value, so a value read while a change
//! commits is kept under the older counter and read again next time, never the other way round.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use diesel::prelude::*;

use crate::platform::db::AnyConnection;
use crate::platform::error::AppError;
use crate::platform::schema::cache_versions;

/// Values kept at most (a few per branch).
const MAX_KEYS: usize = 64;

type Slot = (i64, Arc<dyn Any + Send + Sync>);

/// Which value: its counter, its type (two readers may keep different values under one
/// counter) and its key (a branch).
type Key = (&'static str, TypeId, i64);

/// One per app (clones share it, so database work can take one along): every kept value.
#[derive(Default, Clone)]
pub struct VersionedCache {
    slots: Arc<Mutex<HashMap<Key, Slot>>>,
}

impl VersionedCache {
    /// The value `load` reads for `key`, from memory while `counter` has not moved since.
    pub fn get<V, F>(
        &self,
        conn: &mut AnyConnection,
        counter: &'static str,
        key: i64,
        load: F,
    ) -> Result<Arc<V>, AppError>
    where
        V: Any + Send + Sync,
        F: FnOnce(&mut AnyConnection) -> Result<V, AppError>,
    {
        let version = version_of(conn, counter)?;
        let key = (counter, TypeId::of::<V>(), key);
        if let Some((kept, value)) = self.lock().get(&key) {
            if *kept == version {
                if let Ok(value) = value.clone().downcast::<V>() {
                    return Ok(value);
                }
            }
        }
        let value = Arc::new(load(conn)?);
        let mut slots = self.lock();
        if slots.len() >= MAX_KEYS && !slots.contains_key(&key) {
            // More branches than a shop has: start again rather than grow.
            slots.clear();
        }
        slots.insert(key, (version, value.clone()));
        Ok(value)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        // A panic while holding the lock leaves only whole entries behind.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The counter's current value (its row comes with the migration that adds the counter).
fn version_of(conn: &mut AnyConnection, counter: &'static str) -> Result<i64, AppError> {
    let found: Option<i64> = crate::on_backend!(conn, |c| cache_versions::table
        .find(counter)
        .select(cache_versions::version)
        .first(c)
        .optional())?;
    found.ok_or_else(|| AppError::Internal(format!("the cache counter {counter} is missing")))
}
